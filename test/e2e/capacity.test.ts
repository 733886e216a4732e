// Scenario 8: when rtpengine has no media ports left, a new call is refused with 503 by the gateway
// instead of going through unanchored (the PBX never sees it).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { pbxAddress, pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { countRtpengineCalls } from "../harness/rtpengine.ts";
import { startRtpEcho } from "../harness/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

let stack: GatewayStack;
let browser: Browser;
before(async () => {
  // rtpengine takes 4 ports per bridged call: 4 ports hold exactly one.
  stack = await startGatewayStack(buildE2eRecipe(), { rtpPortCount: 4 });
  browser = await startBrowser(`ws://127.0.0.1:${stack.gatewayPorts.loopback}`, "erin", e2eDomain, pbxPassword);
  assert.equal(await browser.register(), 200);
}, { timeout: 60_000 });
after(async () => {
  browser?.stop();
  await stack?.stop();
});

test("rtpengine out of ports: the next call gets 503 from the gateway and never reaches the PBX", { timeout: 120_000 }, async () => {
  const echo = await startRtpEcho(pbxAddress);
  const phone = startSipp({
    name: "phone", workDir: stack.workDir, scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress, localPort: stack.phonePort, rtp: { address: pbxAddress, port: echo.port },
  });
  await sleep(300);
  const first = await browser.call(`sip:bob@${e2eDomain}`);
  assert.equal(await countRtpengineCalls(stack.rtpengine), 1);

  const refused = await browser.call(`sip:bob@${e2eDomain}`).then(
    () => assert.fail("the second call was answered although rtpengine had no ports left"),
    (error: { status?: number }) => error,
  );
  assert.equal(refused.status, 503);
  const reply = browser.received.find((message) => message.startsWith("SIP/2.0 503")) ?? "";
  assert.match(reply, /^SIP\/2.0 503 Media Relay Unavailable/, `the 503 must come from the gateway:\n${reply}`);
  assert.equal(phone.messages().match(/^INVITE sip:/gm)?.length, 1, "the refused call reached the PBX");

  first.terminate();
  assert.equal(await phone.process.exited, 0);
  await echo.close();
});
