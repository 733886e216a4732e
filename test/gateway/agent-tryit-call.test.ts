// The whole appliance path in a real browser: headless Chromium (fake microphone) loads /tryit/ from the
// bundled agent over HTTPS and calls a PBX phone (sipp answering, RTP echoed) through the agent's WSS proxy,
// the compiled gateway (Kamailio + rtpengine) and the PBX stand-in: first anonymously, then registered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Page } from "playwright-core";
import { startAgentProxy } from "../harness/agent-proxy.ts";
import { launchChromium, saveScreenshot } from "../harness/chromium.ts";
import { pbxAddress, pbxPassword, startGatewayStack } from "../harness/gateway-stack.ts";
import { startRtpEcho, type RtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { buildE2eRecipe, e2eDomain } from "../e2e/e2e-recipe.ts";

test("Chromium calls a PBX phone from /tryit/ through the agent and the real gateway, anonymously and registered; audio flows both ways", async (t) => {
  const recipe = buildE2eRecipe();
  const stack = await startGatewayStack(recipe);
  t.after(() => stack.stop());
  const agent = await startAgentProxy(recipe, stack.gatewayPorts.loopback);
  t.after(() => agent.stop());

  const echo = await startRtpEcho(pbxAddress);
  t.after(() => echo.close());
  const phone = await startSipp({
    name: "phone",
    workDir: stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress,
    localPort: stack.phonePort,
    rtp: { address: pbxAddress, port: echo.port },
    calls: 2,
  });

  const { page, close } = await launchChromium();
  t.after(close);
  await page.goto(`https://127.0.0.1:${agent.port}/tryit/`);

  // First anonymously, then registered: both calls reach the PBX phone with audio both ways.
  await callBobAndCheckMedia(page, echo, "anonymous");
  await page.fill("#uri", `sip:alice@${e2eDomain}`);
  await page.fill("#password", pbxPassword);
  await page.click("#register");
  await page.waitForFunction(() => /^registered as /.test(document.body.dataset.registrationState ?? ""), undefined, { timeout: 15_000 });
  await callBobAndCheckMedia(page, echo, "registered");
  assert.equal(await phone.process.exited, 0, `sipp phone failed:\n${phone.messages().slice(-2000)}`);
});

// Dials `bob` from the page, waits for the call, checks media both ways (PBX side: the echo's counter;
// browser side: inbound-rtp stats), keeps a screenshot and hangs up.
async function callBobAndCheckMedia(page: Page, echo: RtpEcho, label: string): Promise<void> {
  const echoedBefore = echo.received;
  await page.fill("#target", "bob");
  await page.click("#call");
  await page.waitForFunction(() => /^(in call|failed|ended)/.test(document.body.dataset.callState ?? ""), undefined, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.callState), "in call", `${label} call`);
  await page.waitForTimeout(2500);
  const media = await page.evaluate(async () => {
    const pc = (window as any).rtcgwTryit.peerConnection() as RTCPeerConnection;
    let inbound = 0;
    (await pc.getStats()).forEach((report: any) => {
      if (report.type === "inbound-rtp" && report.kind === "audio") inbound += report.packetsReceived;
    });
    return { inbound, state: pc.connectionState, remoteSetup: /a=setup:(\w+)/.exec(pc.remoteDescription?.sdp ?? "")?.[1] };
  });
  await saveScreenshot(page, `agent-tryit-call-${label}`);
  // Seen with rtpengine 10.5: for a browser's offer it starts DTLS as client as soon as ICE completes, so an
  // answer that says `a=setup:passive` (flag DTLS=passive) leaves both sides as clients and no media flows.
  assert.equal(
    media.state,
    "connected",
    `${label} call: DTLS never completed (remote a=setup:${media.remoteSetup}); with setup:passive, drop DTLS=passive from the answer toward the browser (gateway/kamailio/rtpengine-flags.ts answerToBrowser)`,
  );
  assert.ok(echo.received - echoedBefore >= 50, `${label} call: the PBX phone got ${echo.received - echoedBefore} RTP packets from Chromium`);
  assert.ok(media.inbound >= 50, `${label} call: Chromium got ${media.inbound} RTP packets back`);
  await page.click("#hangup");
  await page.waitForFunction(() => /^ended/.test(document.body.dataset.callState ?? ""), undefined, { timeout: 10_000 });
}
