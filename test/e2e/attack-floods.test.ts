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
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const mediaTimeoutSeconds = 6;
const musicSilenceMs = 4000;
const overloadCps = 50;
let stack: GatewayStack;
let legitimate: LegitimateCalls;
const closers: (() => unknown)[] = [];
before(
  async () => {
    // 40 parallel calls: anonymous callers may hold 20 % of them (8), 4 per address. A short media timeout and
    // a low overload cap keep the test short.
    stack = await startGatewayStack(
      buildE2eRecipe((r) => (r.gateway.capacity.parallelCalls = 40)),
      {
        logLevel: 1,
        rtpTimeoutSeconds: mediaTimeoutSeconds,
        gatewayDefines: { OVERLOAD_CPS: overloadCps },
      },
    );
    legitimate = await startLegitimateCalls(stack, "alice", e2eDomain, { mediaRtpTimeoutMs: musicSilenceMs });
  },
  { timeout: 60_000 },
);
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

test("media-less anonymous calls get only their share of the capacity; the media service ends them at its RTP timeout", { timeout: 120_000 }, async () => {
  const clients = await Promise.all([1, 2, 3, 4, 5].map((i) => anonymousClient(`127.0.2.${i}`)));
  const statuses = [];
  for (const client of clients) for (let i = 0; i < 5; i++) statuses.push((await placeRawCall(client, `sip:music@${e2eDomain}`, "WS")).status);
  assert.equal(statuses.filter((s) => s === 200).length, 8, `8 anonymous calls (20 % of 40) are answered: ${statuses.join(" ")}`);
  assert.equal(statuses.filter((s) => s === 503).length, 17, `the rest get 503: ${statuses.join(" ")}`);
  await legitimate.check("while anonymous calls hold their whole share");
  assert.equal(await waitForGatewayCalls(stack, 0, musicSilenceMs + 10_000), 0, "media-less music calls end at the media service's RTP timeout");
  const byes = clients.reduce((sum, client) => sum + client.received.filter((text) => text.startsWith("BYE ")).length, 0);
  assert.equal(byes, 8, "each media-less caller got a BYE");
  await legitimate.check("after the media-less calls ended");
});

test("a call where neither side sends media ends at rtpengine's media timeout, with BYE to both sides", { timeout: 120_000 }, async () => {
  assert.equal(await waitForGatewayCalls(stack, 0, 10_000), 0, "the earlier calls have ended");
  const phone = await startSipp({
    name: "silent-phone",
    workDir: stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress,
    localPort: stack.phonePort,
    rtp: { address: pbxAddress, port: 9 },
  });
  const caller = await anonymousClient("127.0.2.9");
  assert.equal((await placeRawCall(caller, `sip:bob@${e2eDomain}`, "WS")).status, 200);
  assert.equal(await countGatewayCalls(stack), 1);
  assert.equal(await waitForGatewayCalls(stack, 0, (mediaTimeoutSeconds + 10) * 1000), 0, "the silent call is ended");
  assert.ok(
    caller.received.some((text) => text.startsWith("BYE ")),
    "the caller got a BYE",
  );
  assert.equal(await phone.process.exited, 0, `the phone got its BYE:\n${phone.messages().slice(-1500)}`);
});

test("50 spoofed UDP packets with a browser's address ban that address over UDP only: its WebSocket calls still work", { timeout: 120_000 }, async () => {
  const spoofer = await openSipUdpClient(legitimateBrowserAddress, gatewayAddress, stack.gatewayPorts.sip[0]!);
  closers.push(() => spoofer.close());
  const options = () =>
    buildSipRequest({ method: "OPTIONS", uri: `sip:${gatewayAddress}:${stack.gatewayPorts.sip[0]}`, from: spoofer, userAgent: "Linphone/5.0" });
  for (let i = 0; i < 50; i++) await spoofer.send(options());
  await sleep(300);
  assert.equal(await spoofer.request(options(), 1000), undefined, "the spoofed UDP source is banned");
  await legitimate.check("with the browser's address banned over UDP");
});

test(
  `a burst of new calls over ${overloadCps} per second gets 503 with Retry-After; an established call and its BYE go through; new calls work again within two seconds`,
  { timeout: 120_000 },
  async () => {
    // From the PBX's address (never flood-banned): only the overload cap stands between the burst and the gateway.
    const flooder = await openSipUdpClient(pbxAddress, gatewayAddress, stack.gatewayPorts.sip[0]!);
    closers.push(() => flooder.close());
    assert.equal(await waitForGatewayCalls(stack, 0, 10_000), 0, "the earlier calls have ended");
    const session = await legitimate.browser.call(`sip:music@${e2eDomain}`);
    assert.equal(await countGatewayCalls(stack), 1);
    const replies: (string | undefined)[] = [];
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const invite = buildSipRequest({ method: "INVITE", uri: `sip:nobody@${e2eDomain}`, from: flooder, userAgent: "Linphone/5.0", body: "v=0\r\n" });
      replies.push(await flooder.request(invite, 100));
      if (i === 150) session.terminate();
    }
    // The cap counts per whole second: at most overloadCps new calls in each second the burst touched.
    const admitted = overloadCps * Math.ceil((Date.now() - started) / 1000 + 1);
    const shed = replies.filter((reply) => statusOf(reply) === 503);
    assert.ok(shed.length >= replies.length - admitted, `the burst was shed: ${shed.length} of ${replies.length} got 503`);
    assert.match(shed[0]!, /^Retry-After: \d+/m);
    assert.equal(await waitForGatewayCalls(stack, 0, 3000), 0, "the BYE sent during the burst ended the call");
    // The cap counts per second (pipelimit's timer). RED refuses calls in the second after the burst by that
    // burst's rate (it passes every n-th, n = last second's calls / cap), so the second after that admits all.
    await sleep(2100);
    await legitimate.check("right after the burst");
  },
);
