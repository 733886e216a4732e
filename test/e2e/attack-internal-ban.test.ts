// Attack (defect 2): anonymous callers make the gateway ban its own media service. 40 music calls that
// send no media end together at the media service's RTP timeout: its 40 BYEs from 127.0.0.1 exceed the
// flood limit (30 per 2 s).
// Internal services are never counted nor banned, so every BYE reaches its caller, the gateway ends every
// call, and legitimate calls (including music) work afterwards.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gatewayAddress, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { countGatewayCalls, waitForGatewayCalls } from "../harness/gateway-rpc.ts";
import { startLegitimateCalls, type LegitimateCalls } from "../harness/legitimate-calls.ts";
import { placeRawCall } from "../harness/raw-caller.ts";
import { openSipWsClient, type SipStreamClient } from "../harness/sip-stream.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const mediaTimeoutMs = 4000;
let stack: GatewayStack;
let legitimate: LegitimateCalls;
const callers: SipStreamClient[] = [];
before(
  async () => {
    stack = await startGatewayStack(buildE2eRecipe(), { logLevel: 1 });
    legitimate = await startLegitimateCalls(stack, "alice", e2eDomain, { mediaRtpTimeoutMs: mediaTimeoutMs });
  },
  { timeout: 60_000 },
);
after(async () => {
  for (const caller of callers) caller.close();
  await legitimate?.stop();
  await stack?.stop();
});

test("the media service hangs up 40 media-less calls at once: every BYE reaches its caller and the gateway keeps no call", { timeout: 120_000 }, async () => {
  // 10 anonymous clients behind the agent (each its own address), 4 music calls each.
  for (let i = 1; i <= 10; i++) {
    callers.push(await openSipWsClient("127.0.0.1", `ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`, { "X-Forwarded-For": `127.0.1.${i}` }));
  }
  const calls = await Promise.all(callers.flatMap((caller) => [1, 2, 3, 4].map(() => placeRawCall(caller, `sip:music@${e2eDomain}`, "WS"))));
  assert.deepEqual(
    calls.map((call) => call.status),
    calls.map(() => 200),
    "every music call is answered",
  );
  assert.equal(await countGatewayCalls(stack), 40);

  const remaining = await waitForGatewayCalls(stack, 0, mediaTimeoutMs + 10_000);
  const byes = callers.reduce((sum, caller) => sum + caller.received.filter((text) => text.startsWith("BYE ")).length, 0);
  assert.equal(byes, 40, "every caller got the media service's BYE");
  assert.equal(remaining, 0, "the gateway still holds calls the media service ended");
  await legitimate.check("after the media service ended 40 calls");
});
