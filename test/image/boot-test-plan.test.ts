// The boot test's pure parts: QEMU's command line per accelerator and firmware, reading the VM's SSH report,
// the ports the firewall must keep closed, where the PBX stand-in answers, whom the WebRTC calls dial and their verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderQemuArgs } from "../../image/boot-test/qemu-command.ts";
import { readSshReport, renderSshReportScript } from "../../image/boot-test/ssh-report.ts";
import { planClosedPortProbes, unusedPortSearchStart } from "../../image/boot-test/closed-port-probes.ts";
import { planPbxStandin } from "../../image/boot-test/pbx-standin-plan.ts";
import { planCallTargets } from "../../image/boot-test/call-targets-plan.ts";
import { judgeEchoCall, judgeMusicCall } from "../../image/boot-test/call-checks.ts";
import { vmNetwork } from "../../image/boot-test/vm-network.ts";
import { listOpenListeners } from "../../dsl/appliance-ports.ts";
import { loadRecipe } from "./load-test-recipe.ts";

const vm = { overlay: "/w/uefi.qcow2", tap: "tap0", mac: "52:54:00:77:00:10" };

test("QEMU: UEFI gets OVMF's code read-only and a private copy of its variables; BIOS gets neither", () => {
  const uefi = renderQemuArgs({ ...vm, accelerator: "tcg", firmware: "uefi", uefiVars: "/w/OVMF_VARS.fd" }).join(" ");
  assert.match(uefi, /-machine q35,accel=tcg/);
  assert.match(uefi, /-cpu qemu64,-svm/);
  assert.match(uefi, /if=pflash,format=raw,readonly=on,file=\/usr\/share\/OVMF\/OVMF_CODE\.fd/);
  assert.match(uefi, /if=pflash,format=raw,file=\/w\/OVMF_VARS\.fd/);
  assert.match(uefi, /file=\/w\/uefi\.qcow2,format=qcow2/);
  assert.match(uefi, /-device nvme,drive=disk0/);
  assert.match(uefi, /tap,id=net0,ifname=tap0,script=no,downscript=no/);
  assert.match(uefi, /-serial stdio/);
  const bios = renderQemuArgs({ ...vm, accelerator: "kvm", firmware: "bios" }).join(" ");
  assert.doesNotMatch(bios, /pflash/);
  assert.match(bios, /accel=kvm/);
  assert.match(bios, /-cpu host/);
});

test("the SSH report: state, failed units, startup, blame, root size and host name, in order", () => {
  assert.match(renderSshReportScript(), /systemctl is-system-running --wait/);
  const out = [
    "degraded",
    "--rtcgw--",
    "kamailio.service",
    "rtcgw-admin.service",
    "--rtcgw--",
    "Startup finished in 10s (kernel) + 1min (userspace)",
    "--rtcgw--",
    "49.070s rtcgw-firstboot.service",
    "21.923s nftables.service",
    "--rtcgw--",
    "3063623680",
    "--rtcgw--",
    "ip-10-77-0-10",
    "",
  ].join("\n");
  assert.deepEqual(readSshReport(out), {
    state: "degraded",
    failedUnits: ["kamailio.service", "rtcgw-admin.service"],
    startup: "Startup finished in 10s (kernel) + 1min (userspace)",
    blame: ["49.070s rtcgw-firstboot.service", "21.923s nftables.service"],
    rootBytes: 3063623680,
    hostname: "ip-10-77-0-10",
  });
  assert.deepEqual(readSshReport("running\n--rtcgw--\n\n--rtcgw--\n").failedUnits, []);
});

test("closed ports: every loopback and internal listener with a payload that would make it answer, then an unused TCP port", () => {
  const recipe = loadRecipe((r) => {
    r.gateway.listen.rtpengineControl = 22230;
    r.gateway.media = { port: 5590 };
  });
  assert.deepEqual(planClosedPortProbes(recipe), [
    { label: "rtpengine control", protocol: "udp", port: 22230, exposure: "loopback", payload: "ng-ping" },
    { label: "media service", protocol: "udp", port: 5590, exposure: "loopback", payload: "sip-options" },
    { label: "Kamailio loopback WS/HTTP", protocol: "tcp", port: 8090, exposure: "internal", payload: "tcp-connect" },
    { label: "an unused TCP port", protocol: "tcp", port: unusedPortSearchStart, exposure: "unused", payload: "tcp-connect" },
  ]);
  // No probed port is one the firewall opens.
  const open = listOpenListeners(recipe);
  for (const probe of planClosedPortProbes(recipe))
    assert.ok(!open.some((l) => l.protocol === probe.protocol && probe.port >= l.range.from && probe.port <= l.range.to), `${probe.label} is opened`);
});

test("the unused TCP port skips every TCP range the appliance binds", () => {
  const recipe = loadRecipe((r) => {
    r.gateway.listen.sip = { ports: `${unusedPortSearchStart}-${unusedPortSearchStart + 9}`, transports: ["udp", "tcp"] };
    r.gateway.listen.wss = { port: unusedPortSearchStart + 10 };
  });
  assert.equal(planClosedPortProbes(recipe).at(-1)!.port, unusedPortSearchStart + 11);
});

test("the PBX stand-in answers at the upstream's single allowed source, which the DNS stand-in gives the upstream's name", () => {
  assert.deepEqual(planPbxStandin(loadRecipe(), vmNetwork), {
    upstream: "pbx",
    host: "pbx.example.com",
    address: "192.0.2.10",
    port: 5060,
    dnsNames: ["pbx.example.com"],
  });
  const literal = loadRecipe((r) => (r.gateway.upstreams = [{ name: "pbx", host: "198.51.100.20", port: 5080, transport: "udp" }]));
  assert.deepEqual(planPbxStandin(literal, vmNetwork), { upstream: "pbx", host: "198.51.100.20", address: "198.51.100.20", port: 5080, dnsNames: [] });
  const open = loadRecipe((r) => (r.gateway.upstreams[0].allowFrom = ["192.0.2.0/24"]));
  assert.equal((planPbxStandin(open, vmNetwork) as { address: string }).address, vmNetwork.hostSide, "no single address: the host side's own");
  const inside = loadRecipe((r) => (r.gateway.upstreams = [{ name: "pbx", host: `${vmNetwork.prefix}20`, port: 5060, transport: "udp" }]));
  assert.match((planPbxStandin(inside, vmNetwork) as { none: string }).none, /inside the boot test's own network/);
  const tcp = loadRecipe((r) => (r.gateway.upstreams[0].transport = "tcp"));
  assert.match((planPbxStandin(tcp, vmNetwork) as { none: string }).none, /UDP only; the recipe's upstreams use pbx: tcp/);
});

test("the WebRTC calls dial a user each route of the dial plan really gets: the PBX route's first user not taken earlier, music", () => {
  const recipe = loadRecipe();
  assert.deepEqual(planCallTargets(recipe, "pbx"), { pbx: { user: "A" }, music: { user: "music" } });
  assert.deepEqual(planCallTargets(recipe, undefined).pbx, { none: "there is no PBX stand-in to answer it" });
  const dialPlan = (routes: unknown[]) => ({ ...recipe, gateway: { ...recipe.gateway, dialPlan: routes } }) as typeof recipe;
  // Digits only to the PBX, and 0 taken by an earlier reject: the call dials 1.
  const digits = dialPlan([
    { kind: "reject", pattern: "^0$", status: 403 },
    { kind: "upstream", pattern: "^[0-9]+$", upstream: "pbx" },
  ]);
  assert.deepEqual(planCallTargets(digits, "pbx"), { pbx: { user: "1" }, music: { none: "no dialled user reaches a music route in the recipe's dial plan" } });
  // An upstream route shadowed entirely: no call, and the reason says which route.
  const shadowed = dialPlan([
    { kind: "reject", pattern: ".*", status: 403 },
    { kind: "upstream", pattern: ".*", upstream: "pbx" },
  ]);
  assert.deepEqual(planCallTargets(shadowed, "pbx").pbx, { none: "no dialled user reaches upstream pbx in the recipe's dial plan" });
});

test("the echo call passes only with audio both ways (half each way, PCMU at the PBX, the browser's codec back) and a BYE answered with 200", () => {
  const call = { attempts: 1, codec: "audio/PCMU", payloadType: 0, sent: 150, received: 140, receivedPerPayloadType: { 0: 140 }, hangUp: "SIP/2.0 200 OK" };
  const echo = { 0: 148 };
  const passed = judgeEchoCall("echo", call, echo);
  assert.equal(passed.ok, true);
  assert.equal(
    passed.detail,
    "audio/PCMU (payload type 0): the browser sent 150, the PBX side received and echoed 148 (payload types 0: 148), the browser got 140 back decrypted (payload types 0: 140); BYE: SIP/2.0 200 OK",
  );
  assert.match(
    judgeEchoCall("echo", { ...call, received: 74, receivedPerPayloadType: { 0: 74 } }, echo).detail,
    /^the browser got fewer than 75 back in its codec's payload type 0 \(/,
  );
  assert.equal(judgeEchoCall("echo", { ...call, received: 75, receivedPerPayloadType: { 0: 75 } }, echo).ok, true);
  assert.match(judgeEchoCall("echo", call, { 0: 10 }).detail, /^the PBX side got fewer than 75 PCMU \(payload type 0\) \(/);
  assert.match(judgeEchoCall("echo", call, undefined).detail, /^the PBX stand-in got no BYE/);
  assert.match(judgeEchoCall("echo", { ...call, hangUp: "no final response to the BYE within 15000 ms" }, echo).detail, /^the BYE: no final response/);
  const stalled = judgeEchoCall(
    "echo",
    { ...call, attempts: 3, failure: "answered, but DTLS-SRTP did not come up: audio DTLS transport is connecting, not connected" },
    echo,
  );
  assert.deepEqual(stalled, {
    name: "echo",
    ok: false,
    detail: "answered, but DTLS-SRTP did not come up: audio DTLS transport is connecting, not connected (3 attempts: DTLS-SRTP stalled before)",
  });
});

test("the Opus echo call passes only when the browser sent Opus, the PBX got PCMU and the browser got Opus back: each wrong codec is named", () => {
  const call = { attempts: 1, codec: "audio/opus", payloadType: 111, sent: 150, received: 138, receivedPerPayloadType: { 111: 138 }, hangUp: "SIP/2.0 200 OK" };
  const passed = judgeEchoCall("opus", call, { 0: 147 }, "audio/opus");
  assert.equal(passed.ok, true, passed.detail);
  assert.equal(
    passed.detail,
    "audio/opus (payload type 111): the browser sent 150, the PBX side received and echoed 147 (payload types 0: 147), the browser got 138 back decrypted (payload types 111: 138); BYE: SIP/2.0 200 OK",
  );
  assert.match(judgeEchoCall("opus", { ...call, seconds: 5.84 }, { 0: 147 }, "audio/opus").detail, /; BYE: SIP\/2\.0 200 OK; 5\.8 s in all$/);
  // The gateway passed Opus through: the PBX, which answered PCMU, got payload type 111.
  const untranscoded = judgeEchoCall("opus", call, { 111: 147 }, "audio/opus");
  assert.equal(untranscoded.ok, false);
  assert.match(
    untranscoded.detail,
    /^the PBX side got fewer than 75 PCMU \(payload type 0\); the PBX side, which answered PCMU only, got payload types 111: 147: the VM's rtpengine did not transcode to PCMU \(/,
  );
  // A few stray packets of another payload type fail the call too, though PCMU arrived.
  assert.match(judgeEchoCall("opus", call, { 0: 140, 111: 3 }, "audio/opus").detail, /^the PBX side, which answered PCMU only, got payload types 111: 3:/);
  // PCMU came back to a browser that sends Opus.
  const pcmuBack = judgeEchoCall("opus", { ...call, receivedPerPayloadType: { 0: 138 } }, { 0: 147 }, "audio/opus");
  assert.match(
    pcmuBack.detail,
    /^the browser got fewer than 75 back in its codec's payload type 111; the browser got payload types 0: 138 back, not its codec's payload type 111 \(/,
  );
  // The gateway negotiated PCMU although Opus was wanted.
  const pcmu = judgeEchoCall("opus", { ...call, codec: "audio/PCMU", payloadType: 0, receivedPerPayloadType: { 0: 138 } }, { 0: 147 }, "audio/opus");
  assert.match(pcmu.detail, /^the browser sends audio\/PCMU, not audio\/opus: the gateway did not negotiate audio\/opus with it \(/);
  assert.match(
    judgeEchoCall("opus", { ...call, received: 60, receivedPerPayloadType: { 111: 60 } }, { 0: 147 }, "audio/opus").detail,
    /^the browser got fewer than 75 back/,
  );
});

test("the music call passes with enough packets and a BYE answered with 200", () => {
  const music = { attempts: 1, codec: "audio/opus", sent: 50, received: 190, receivedPerPayloadType: { 111: 190 }, hangUp: "SIP/2.0 200 OK" };
  assert.equal(judgeMusicCall("music", music, 50, 4000).ok, true);
  assert.match(judgeMusicCall("music", music, 50, 4000).detail, /the browser got 190 audio packets decrypted in 4\.0 s \(at least 50 expected\)/);
  assert.match(judgeMusicCall("music", { ...music, received: 12 }, 50, 4000).detail, /^fewer than 50 audio packets/);
  assert.equal(judgeMusicCall("music", { ...music, failure: "no answer to the INVITE within 15000 ms" }, 50, 4000).ok, false);
});
