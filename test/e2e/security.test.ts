// Scenario 7 (part): no calls from strangers, no open relay, scanners get silence, sipvicious finds
// nothing, and a flooding source is banned while others keep working.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gatewayAddress, strangerAddress } from "../harness/gateway-stack.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { buildSipRequest, openSipUdpClient, statusOf, type SipUdpClient } from "../harness/sip-udp.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const gw = useGatewayStack({ recipe: buildE2eRecipe((r) => (r.gateway.security.flood = { requests: 20, window: "2s", ban: "60s" })), browsers: ["mallory"] });
const clients: SipUdpClient[] = [];
after(async () => {
  for (const client of clients) await client.close();
});

async function client(address: string): Promise<SipUdpClient> {
  const opened = await openSipUdpClient(address, gatewayAddress, gw.stack.gatewayPorts.sip[0]!);
  clients.push(opened);
  return opened;
}

function options(from: SipUdpClient, userAgent: string): string {
  return buildSipRequest({ method: "OPTIONS", uri: `sip:${gatewayAddress}:${gw.stack.gatewayPorts.sip[0]}`, from, userAgent });
}

function invitesAtPbx(): number {
  return readFileSync(gw.stack.pbx.logPath, "utf8").match(/PBX got INVITE/g)?.length ?? 0;
}

test("an INVITE from a source that is neither the PBX nor a WebRTC client gets 403 and never reaches the PBX", { timeout: 120_000 }, async () => {
  const stranger = await client(strangerAddress);
  const before = invitesAtPbx();
  const invite = buildSipRequest({
    method: "INVITE",
    uri: `sip:bob@${e2eDomain}`,
    from: stranger,
    userAgent: "Linphone/5.0",
    body: "v=0\r\no=- 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
  });
  assert.equal(statusOf(await stranger.request(invite)), 403);
  const register = buildSipRequest({ method: "REGISTER", uri: `sip:${e2eDomain}`, from: stranger, userAgent: "Linphone/5.0" });
  assert.equal(statusOf(await stranger.request(register)), 403);
  assert.equal(invitesAtPbx(), before);
});

test("a registered browser calling a foreign domain is rejected (no open relay)", { timeout: 120_000 }, async () => {
  const before = invitesAtPbx();
  const refused = await gw
    .browser()
    .call("sip:bob@evil.example.net")
    .then(
      () => assert.fail("the gateway relayed a call to a foreign domain"),
      (error: { status?: number }) => error,
    );
  assert.equal(refused.status, 403);
  assert.equal(invitesAtPbx(), before);
});

test("a friendly-scanner user agent gets no answer, the same request from a phone does", { timeout: 120_000 }, async () => {
  const source = await client("127.0.0.6");
  assert.equal(await source.request(options(source, "friendly-scanner")), undefined);
  assert.equal(await source.request(options(source, "sipvicious 0.3.4")), undefined);
  assert.equal(statusOf(await source.request(options(source, "Linphone/5.0"))), 200);
});

test("sipvicious svmap and svwar find nothing; REGISTER probes with a phone's user agent cannot tell users apart", { timeout: 120_000 }, async () => {
  const port = String(gw.stack.gatewayPorts.sip[0]);
  const svmap = spawnSync(requireBinary("svmap", "sipvicious"), ["-p", port, "-t", "0.2", gatewayAddress], { encoding: "utf8", timeout: 60_000 });
  assert.doesNotMatch(svmap.stdout, /\| *127\.0\.0\.1:\d+ *\|/, `svmap found the gateway:\n${svmap.stdout}${svmap.stderr}`);
  assert.match(`${svmap.stdout}${svmap.stderr}`, /found nothing/i, svmap.stdout + svmap.stderr);
  const svwar = spawnSync(requireBinary("svwar", "sipvicious"), ["-p", port, "-e", "100-120", "-t", "0.2", gatewayAddress], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.doesNotMatch(svwar.stdout, /\| *1\d\d *\|/, `svwar found extensions:\n${svwar.stdout}${svwar.stderr}`);

  const prober = await client("127.0.0.8");
  const statuses = new Set<number | undefined>();
  for (const user of ["100", "101", "mallory", "alice", "admin"]) {
    const probe = buildSipRequest({ method: "REGISTER", uri: `sip:${e2eDomain}`, from: prober, userAgent: "Linphone/5.0", headers: [] }).replace(
      /sip:tester@/g,
      `sip:${user}@`,
    );
    statuses.add(statusOf(await prober.request(probe)));
  }
  assert.deepEqual([...statuses], [403]);
});

test("a flood above the recipe's limit bans the source while another client still gets answers", { timeout: 120_000 }, async () => {
  const flooder = await client("127.0.0.4");
  const bystander = await client("127.0.0.5");
  assert.equal(statusOf(await flooder.request(options(flooder, "Linphone/5.0"))), 200);
  for (let i = 0; i < 200; i++) await flooder.send(options(flooder, "Linphone/5.0"));
  // Replies to the flood's first requests (before the ban) are still arriving: wait until the source hears nothing.
  await settleWithin(5000, async () => (await flooder.request(options(flooder, "Linphone/5.0"), 300)) === undefined);
  assert.equal(await flooder.request(options(flooder, "Linphone/5.0"), 1500), undefined, "the flooding source still gets answers");
  assert.equal(statusOf(await bystander.request(options(bystander, "Linphone/5.0"))), 200);
});
