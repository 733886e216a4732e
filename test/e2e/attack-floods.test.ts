// Attacks by volume: anonymous calls that never send media, UDP packets with a browser's address as their
// (spoofed) source, and a burst of new calls far above the overload cap. Legitimate calls (browser → PBX,
// PBX → browser, music) must work during and after each.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gatewayAddress, pbxAddress, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { countGatewayCalls, waitForGatewayCalls } from "../harness/gateway-rpc.ts";
import { legitimateBrowserAddress, startLegitimateCalls, type LegitimateCalls } from "../harness/legitimate-calls.ts";
import { placeRawCall } from "../harness/raw-caller.ts";
import { openSipWsClient, type SipStreamClient } from "../harness/sip-stream.ts";
import { buildSipRequest, openSipUdpClient, statusOf } from "../harness/sip-udp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const mediaTimeoutSeconds = 6;
const overloadCps = 20;
let stack: GatewayStack;
let legitimate: LegitimateCalls;
const closers: (() => unknown)[] = [];
before(async () => {
  // 40 parallel calls: anonymous callers may hold 20 % of them (8), 4 per address. A short media timeout and
  // a low overload cap keep the test short.
  stack = await startGatewayStack(buildE2eRecipe((r) => (r.gateway.capacity.parallelCalls = 40)), {
    logLevel: 1, rtpTimeoutSeconds: mediaTimeoutSeconds, gatewayDefines: { OVERLOAD_CPS: overloadCps },
  });
  legitimate = await startLegitimateCalls(stack, "alice", e2eDomain);
}, { timeout: 60_000 });
after(async () => {
  for (const close of closers) await close();
  await legitimate?.stop();
  await stack?.stop();
});

async function anonymousClient(address: string): Promise<SipStreamClient> {
  const client = await openSipWsClient("127.0.0.1", `ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`, { "X-Forwarded-For": address });
  closers.push(() => client.close());
  return client;
}

test("media-less anonymous calls: they get only their share of the capacity and end after the media timeout", { timeout: 120_000 }, async () => {
  const clients = await Promise.all([1, 2, 3, 4, 5].map((i) => anonymousClient(`127.0.2.${i}`)));
  const statuses = [];
  for (const client of clients) for (let i = 0; i < 5; i++) statuses.push((await placeRawCall(client, `sip:music@${e2eDomain}`, "WS")).status);
  assert.equal(statuses.filter((s) => s === 200).length, 8, `8 anonymous calls (20 % of 40) are answered: ${statuses.join(" ")}`);
  assert.ok(statuses.filter((s) => s === 503).length >= 17, `the rest get 503: ${statuses.join(" ")}`);
  await legitimate.check("while anonymous calls hold their whole share");
  const remaining = await waitForGatewayCalls(stack, 0, (mediaTimeoutSeconds + 10) * 1000);
  assert.equal(remaining, 0, "calls without media are ended after rtpengine's media timeout");
  const byes = clients.reduce((sum, client) => sum + client.received.filter((text) => text.startsWith("BYE ")).length, 0);
  assert.equal(byes, 8, "each media-less caller got a BYE");
  await legitimate.check("after the media timeout");
});

test("50 spoofed UDP packets with a browser's address ban that address over UDP only: its WebSocket calls still work", { timeout: 120_000 }, async () => {
  const spoofer = await openSipUdpClient(legitimateBrowserAddress, gatewayAddress, stack.gatewayPorts.sip[0]!);
  closers.push(() => spoofer.close());
  const options = () => buildSipRequest({ method: "OPTIONS", uri: `sip:${gatewayAddress}:${stack.gatewayPorts.sip[0]}`, from: spoofer, userAgent: "Linphone/5.0" });
  for (let i = 0; i < 50; i++) await spoofer.send(options());
  await sleep(300);
  assert.equal(await spoofer.request(options(), 1000), undefined, "the spoofed UDP source is banned");
  await legitimate.check("with the browser's address banned over UDP");
});

test(`a burst of new calls over ${overloadCps} per second gets 503 with Retry-After; an established call and its BYE go through; new calls work at once after`, { timeout: 120_000 }, async () => {
  // From the PBX's address (never flood-banned): only the overload cap stands between the burst and the gateway.
  const flooder = await openSipUdpClient(pbxAddress, gatewayAddress, stack.gatewayPorts.sip[0]!);
  closers.push(() => flooder.close());
  const session = await legitimate.browser.call(`sip:music@${e2eDomain}`);
  const replies: (string | undefined)[] = [];
  for (let i = 0; i < 100; i++) {
    const invite = buildSipRequest({ method: "INVITE", uri: `sip:nobody@${e2eDomain}`, from: flooder, userAgent: "Linphone/5.0", body: "v=0\r\n" });
    replies.push(await flooder.request(invite, 100));
    if (i === 50) session.terminate();
  }
  const shed = replies.filter((reply) => statusOf(reply) === 503);
  assert.ok(shed.length >= 100 - 2 * overloadCps, `the burst was shed: ${replies.map(statusOf).join(" ")}`);
  assert.match(shed[0]!, /^Retry-After: \d+/m);
  assert.equal(await waitForGatewayCalls(stack, 0, 3000), 0, "the BYE sent during the burst ended the call");
  await legitimate.check("right after the burst");
});
