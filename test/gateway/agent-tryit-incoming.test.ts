// PBX → browser in a real browser: headless Chromium (fake microphone) loads /tryit/ from the bundled agent over
// HTTPS and registers as carol through the agent's WSS proxy and the compiled gateway; a sipp phone behind the PBX
// calls carol, the PBX sends the call back through the gateway's Path, the page answers and audio flows both ways.
// rtpengine offers `a=setup:actpass` (its DTLS context passive since the offer), the page answers `active`: Chromium
// is the DTLS client and rtpengine the server (the roles are reported per call, not asserted).
//
// rtpengine runs with its worker threads as on the appliance: the compiled rtpengine.conf sets none, so rtpengine
// starts one per core but at least 4 (4 on a 2-core machine). The test harness otherwise runs one thread, for werift's
// sake (figures in test/harness/rtpengine.ts).
//
// For measurements: RTCGW_TRYIT_INCOMING_CALLS=20 places 20 calls one after another (1 by default) and reports
// how many had audio both ways; RTCGW_TRYIT_RTPENGINE_THREADS=N runs rtpengine with --num-threads=N instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startAgentProxy } from "../harness/agent-proxy.ts";
import { launchChromium, saveScreenshot } from "../harness/chromium.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { pbxAddress, pbxPassword, startGatewayStack } from "../harness/gateway-stack.ts";
import { startRtpEcho, type RtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { buildE2eRecipe, e2eDomain } from "../e2e/e2e-recipe.ts";

const callCount = Number(process.env.RTCGW_TRYIT_INCOMING_CALLS ?? 1);
const threadsFromEnv = process.env.RTCGW_TRYIT_RTPENGINE_THREADS;
const rtpengineThreads = threadsFromEnv ? Number(threadsFromEnv) : "default";

/** What one call showed on both sides. */
interface CallResult {
  callState: string;
  connectionState: string;
  /** `a=setup` of rtpengine's offer and of the page's answer. */
  remoteSetup?: string;
  localSetup?: string;
  dtlsState?: string;
  dtlsRole?: string;
  /** RTP packets Chromium sent and received (outbound-rtp / inbound-rtp), and those the PBX-side echo got. */
  sent: number;
  received: number;
  echoed: number;
  callerExit: number | string;
}

test(
  `a PBX phone calls Chromium registered on /tryit/ (rtpengine threads: ${rtpengineThreads}); the page answers and audio flows both ways`,
  { timeout: 60_000 + callCount * 30_000 },
  async (t) => {
    assert.ok(
      Number.isInteger(callCount) && callCount >= 1,
      `RTCGW_TRYIT_INCOMING_CALLS must be a positive integer, not ${process.env.RTCGW_TRYIT_INCOMING_CALLS}`,
    );
    assert.ok(
      rtpengineThreads === "default" || (Number.isInteger(rtpengineThreads) && rtpengineThreads >= 1),
      `RTCGW_TRYIT_RTPENGINE_THREADS must be a positive integer, not ${threadsFromEnv}`,
    );
    const recipe = buildE2eRecipe();
    const stack = await startGatewayStack(recipe, { rtpengineThreads });
    t.after(() => stack.stop());
    const agent = await startAgentProxy(recipe, stack.gatewayPorts.loopback);
    t.after(() => agent.stop());
    const echo = await startRtpEcho(pbxAddress);
    t.after(() => echo.close());

    const { page, close } = await launchChromium();
    t.after(close);
    await page.goto(`https://127.0.0.1:${agent.port}/tryit/`);
    await page.fill("#uri", `sip:carol@${e2eDomain}`);
    await page.fill("#password", pbxPassword);
    await page.click("#register");
    await page.waitForFunction(() => /^registered as /.test(document.body.dataset.registrationState ?? ""), undefined, { timeout: 15_000 });
    // The PBX holds carol's contact with the gateway's Path: that is how its INVITE finds the browser.
    assert.match(stack.pbxRpc("ul.dump"), /carol/, "the PBX has no contact for carol");

    const results: CallResult[] = [];
    for (let call = 1; call <= callCount; call++) {
      const result = await callCarol(page, stack.workDir, stack.pbxPort, echo, call);
      results.push(result);
      t.diagnostic(`call ${call}: ${JSON.stringify(result)}`);
    }
    const good = results.filter(hadAudioBothWays).length;
    t.diagnostic(`${good} of ${callCount} calls had audio both ways (rtpengine threads: ${rtpengineThreads})`);

    for (const [index, r] of results.entries()) {
      const label = `call ${index + 1} of ${callCount}`;
      assert.equal(r.callState, "in call", `${label}: the page did not answer (call state: ${r.callState})`);
      assert.equal(
        r.connectionState,
        "connected",
        `${label}: ICE/DTLS never completed (rtpengine offered a=setup:${r.remoteSetup}, the page answered a=setup:${r.localSetup}, DTLS ${r.dtlsState} as ${r.dtlsRole})`,
      );
      assert.ok(r.echoed >= 50, `${label}: the PBX phone got ${r.echoed} RTP packets from Chromium (Chromium sent ${r.sent})`);
      assert.ok(r.received >= 50, `${label}: Chromium got ${r.received} RTP packets back`);
      assert.equal(r.callerExit, 0, `${label}: the sipp caller failed`);
    }
  },
);

function hadAudioBothWays(r: CallResult): boolean {
  return r.callState === "in call" && r.connectionState === "connected" && r.echoed >= 50 && r.received >= 50 && r.callerExit === 0;
}

// A sipp phone on the PBX side calls carol (media to the echo) and hangs up after 6 s; the page answers by itself.
// Collects the page's call state, its peer connection's state and RTP counters, and the echo's count for this call;
// keeps a screenshot of the first call while it is up.
async function callCarol(page: Page, workDir: string, pbxPort: number, echo: RtpEcho, call: number): Promise<CallResult> {
  const echoedBefore = echo.received;
  // The previous call left "ended: …" in the page's state: mark it so that only this call's outcome counts.
  await page.evaluate(() => (document.body.dataset.callState = "waiting for a call"));
  const [callerPort] = await findFreePorts(1);
  const caller = await startSipp({
    name: `caller-${call}`,
    workDir,
    scenario: sippScenario("uac-call.xml"),
    remote: `${pbxAddress}:${pbxPort}`,
    localAddress: pbxAddress,
    localPort: callerPort!,
    rtp: { address: pbxAddress, port: echo.port },
    extraArgs: ["-s", "carol", "-d", "6000"],
    keys: { domain: e2eDomain },
  });
  try {
    await page.waitForFunction(() => /^(in call|failed|ended)/.test(document.body.dataset.callState ?? ""), undefined, { timeout: 20_000 }).catch(() => {});
    const callState = (await page.evaluate(() => document.body.dataset.callState)) ?? "";
    if (callState === "in call") {
      // ICE and DTLS settle within a second or two when they work; then give audio 2.5 s to flow.
      await page
        .waitForFunction(() => /^(connected|failed|closed)$/.test((window as any).rtcgwTryit.peerConnection()?.connectionState ?? ""), undefined, {
          timeout: 10_000,
        })
        .catch(() => {});
      await page.waitForTimeout(2500);
    }
    const media = await page.evaluate(async () => {
      const pc = (window as any).rtcgwTryit.peerConnection() as RTCPeerConnection | undefined;
      if (!pc) return { connectionState: "none", sent: 0, received: 0 };
      let sent = 0;
      let received = 0;
      let dtlsState: string | undefined;
      let dtlsRole: string | undefined;
      (await pc.getStats()).forEach((report: any) => {
        if (report.type === "outbound-rtp" && report.kind === "audio") sent += report.packetsSent;
        if (report.type === "inbound-rtp" && report.kind === "audio") received += report.packetsReceived;
        if (report.type === "transport") ({ dtlsState, dtlsRole } = report);
      });
      // (No helper function here: tsx would wrap it in a `__name` call that does not exist in the page.)
      const remoteSetup = /a=setup:(\w+)/.exec(pc.remoteDescription?.sdp ?? "")?.[1];
      const localSetup = /a=setup:(\w+)/.exec(pc.localDescription?.sdp ?? "")?.[1];
      return { connectionState: pc.connectionState, remoteSetup, localSetup, dtlsState, dtlsRole, sent, received };
    });
    const echoed = echo.received - echoedBefore;
    if (call === 1) await saveScreenshot(page, "agent-tryit-incoming");
    // The caller hangs up after its pause; the page shows the call ended.
    const callerExit = await caller.process.exited;
    await page.waitForFunction(() => /^(ended|failed)/.test(document.body.dataset.callState ?? ""), undefined, { timeout: 10_000 }).catch(() => {});
    return { callState, ...media, echoed, callerExit };
  } finally {
    await caller.process.stop();
  }
}
