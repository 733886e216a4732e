// The boot test's WebRTC calls (image/boot-test/check-webrtc-calls.ts) without a VM: against the real compiled
// gateway (Kamailio, rtpengine) on loopback, with the boot test's PBX stand-in (image/smoke/pbx-standin.ts) as the
// phone the test PBX relays unknown users to, and the real media service playing music. The calls go as in the VM:
// the browser stand-in over the WebSocket, ICE and DTLS-SRTP with werift, audio both ways, BYE; the second call to
// the PBX offers Opus only, so rtpengine transcodes the browser's Opus tone to the PCMU the stand-in answered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planCallTargets } from "../../image/boot-test/call-targets-plan.ts";
import { checkWebRtcCalls } from "../../image/boot-test/check-webrtc-calls.ts";
import { startPbxStandin } from "../../image/boot-test/pbx-standin-process.ts";
import { startMediaService } from "../../gateway/media/server.ts";
import { defaultMediaSettings } from "../../gateway/media/settings.ts";
import { waitForGatewayCalls } from "../harness/gateway-rpc.ts";
import { gatewayAddress, pbxAddress, pbxPassword } from "../harness/gateway-stack.ts";
import { e2eDomain } from "../e2e/e2e-recipe.ts";
import { useGatewayStack } from "../e2e/use-gateway-stack.ts";

const gw = useGatewayStack();

test("the boot test's calls: audio both ways to the PBX's echo (PCMU, then Opus transcoded), music, all ended by BYE", { timeout: 120_000 }, async (t) => {
  const { stack } = gw;
  const standin = await startPbxStandin(pbxAddress, stack.phonePort);
  t.after(() => standin.stop());
  const media = await startMediaService({ ...defaultMediaSettings, port: stack.mediaPort }, { log: () => {} });
  t.after(() => media.stop());

  const targets = planCallTargets(stack.recipe, "pbx");
  assert.deepEqual(targets, { pbx: { user: "A" }, music: { user: "music" } });
  const checks = await checkWebRtcCalls(
    {
      url: `ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`,
      domain: e2eDomain,
      mediaAddress: "127.0.0.1",
      targets,
      user: "alice",
      password: pbxPassword,
    },
    standin.lines,
  );
  const report = JSON.stringify(checks, null, 2);
  assert.deepEqual(
    checks.map((check) => check.ok),
    [true, true, true],
    report,
  );
  const [echo, opus, music] = checks.map((check) => check.detail);
  const counts =
    /^audio\/PCMU \(payload type 0\): the browser sent (\d+), the PBX side received and echoed (\d+) \(payload types 0: \d+\), the browser got (\d+) back decrypted \(payload types 0: \d+\); BYE: SIP\/2\.0 200 /.exec(
      echo!,
    );
  assert.ok(counts, report);
  // On loopback nearly every packet arrives: far above the gate's half.
  assert.ok(Number(counts[2]) >= 140 && Number(counts[3]) >= 130, report);
  // Opus from the browser, PCMU at the PBX, Opus back: rtpengine transcoded both ways.
  const transcoded =
    /^audio\/opus \(payload type 111\): the browser sent 150, the PBX side received and echoed (\d+) \(payload types 0: \d+\), the browser got (\d+) back decrypted \(payload types 111: \d+\); BYE: SIP\/2\.0 200 /.exec(
      opus!,
    );
  assert.ok(transcoded, report);
  assert.ok(Number(transcoded[1]) >= 140 && Number(transcoded[2]) >= 130, report);
  assert.match(
    standin.lines.find((line) => line.includes('"method":"INVITE"')) ?? "",
    /"from":"127\.0\.0\.2:/,
    "the INVITE reached the stand-in through the test PBX",
  );
  const heard = /the browser got (\d+) audio packets decrypted/.exec(music!);
  assert.ok(heard && Number(heard[1]) >= 150, report);
  assert.equal(await waitForGatewayCalls(stack, 0, 5000), 0, "every call ended on the gateway");
  console.log(`boot-webrtc-calls: ${checks.map((check) => check.detail).join(" | ")}`);
});
