// Scenario 5: with a "5s" maximum call duration, the gateway ends an answered call itself: both the
// browser and the PBX phone get a BYE within 5 ± 1 s and rtpengine no longer holds the call.
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
  stack = await startGatewayStack(buildE2eRecipe((r) => r.gateway.rules.push({ kind: "max-call-duration", limit: "5s" })));
  // 20 ms before each message leaves the browser, as on a real network: with an answer at once, Kamailio 5.6's
  // timeout BYEs race (the caller's 200 OK handled before the callee's BYE is sent, which is then refused) and the
  // PBX leg kept its call about one run in 6-8. That race is a known, open defect: docs/DECISIONS.md.
  browser = await startBrowser(`ws://127.0.0.1:${stack.gatewayPorts.loopback}`, "dave", e2eDomain, pbxPassword, { sendDelayMs: 20 });
  assert.equal(await browser.register(), 200);
}, { timeout: 60_000 });
after(async () => {
  browser?.stop();
  await stack?.stop();
});

test("max-call-duration 5s: BYE to both sides within 5 ± 1 s, rtpengine session gone", { timeout: 120_000 }, async (t) => {
  const echo = await startRtpEcho(pbxAddress);
  // Closed also when an assertion fails: an open socket would keep the test process alive until the runner's timeout.
  t.after(() => echo.close());
  const phone = startSipp({
    name: "phone", workDir: stack.workDir, scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress, localPort: stack.phonePort, rtp: { address: pbxAddress, port: echo.port },
  });
  await sleep(300);
  const session = await browser.call(`sip:bob@${e2eDomain}`);
  const answeredAt = Date.now();
  assert.equal(await countRtpengineCalls(stack.rtpengine), 1);

  const browserEnded = new Promise<{ at: number; originator: string }>((resolve) =>
    session.once("ended", (e: { originator: string }) => resolve({ at: Date.now(), originator: e.originator })),
  );
  const phoneEnded = phone.process.exited.then((code) => ({ at: Date.now(), code }));
  const [browserEnd, phoneEnd] = await Promise.all([browserEnded, phoneEnded]);

  const browserSeconds = (browserEnd.at - answeredAt) / 1000;
  const phoneSeconds = (phoneEnd.at - answeredAt) / 1000;
  assert.equal(browserEnd.originator, "remote", "the browser did not hang up itself");
  assert.ok(Math.abs(browserSeconds - 5) <= 1, `the browser got its BYE after ${browserSeconds} s`);
  assert.equal(phoneEnd.code, 0, `the phone did not get a BYE:\n${phone.messages().slice(-2000)}`);
  assert.ok(Math.abs(phoneSeconds - 5) <= 1, `the phone got its BYE after ${phoneSeconds} s`);
  assert.match(phone.messages(), /^BYE sip:/m);
  await sleep(300);
  assert.equal(await countRtpengineCalls(stack.rtpengine), 0, "rtpengine still holds the call");
});
