// Scenario 5: with a "5s" maximum call duration, the gateway ends an answered call itself: both the
// browser and the PBX phone get a BYE within 5 ± 1 s and rtpengine no longer holds the call. The
// browsers answer the gateway's BYE at once, so the second test also covers the race between that
// answer and the gateway's second BYE (docs/DECISIONS.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { startBrowser } from "../harness/browser.ts";
import { pbxAddress, pbxPassword } from "../harness/gateway-stack.ts";
import { countRtpengineCalls } from "../harness/rtpengine.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { starveKamailioTimers } from "../harness/starve-kamailio-timers.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const gw = useGatewayStack({ recipe: buildE2eRecipe((r) => r.gateway.rules.push({ kind: "max-call-duration", limit: "5s" })), browsers: ["dave"] });

test("max-call-duration 5s: BYE to both sides within 5 ± 1 s, rtpengine session gone", { timeout: 120_000 }, async (t) => {
  const echo = await startRtpEcho(pbxAddress);
  // Closed also when an assertion fails: an open socket would keep the test process alive until the runner's timeout.
  t.after(() => echo.close());
  const phone = await startSipp({
    name: "phone",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress,
    localPort: gw.stack.phonePort,
    rtp: { address: pbxAddress, port: echo.port },
  });
  const session = await gw.browser().call(`sip:bob@${e2eDomain}`);
  const answeredAt = Date.now();
  assert.equal(await countRtpengineCalls(gw.stack.rtpengine), 1);

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
  await settleWithin(2000, async () => (await countRtpengineCalls(gw.stack.rtpengine)) === 0);
  assert.equal(await countRtpengineCalls(gw.stack.rtpengine), 0, "rtpengine still holds the call 2 s after the BYEs");
});

// Kamailio 5.6 sends the two BYEs one after the other; when the browser's 200 OK to the first is handled
// before the second leaves, the dialog is over and the second BYE, and the media's release, used to be
// skipped. With the timer process starved, that ordering is the common case: without the gateway's guard
// (event_route[tm:local-request] and reply_route), about half the calls here kept their PBX leg.
// The timer processes run only when a CPU idles, and the spin loops (60 s at most) leave few idle moments
// on a 2-core machine: the BYEs may come late, so the phones wait up to 110 s for them.
test(
  "max-call-duration with a starved timer process: 4 parallel calls, every phone and browser gets its BYE, rtpengine empty",
  { timeout: 180_000 },
  async (t) => {
    const echo = await startRtpEcho(pbxAddress);
    t.after(() => echo.close());
    const browsers = await Promise.all(
      ["erin", "fred", "gina", "hank"].map((user) => startBrowser(`ws://127.0.0.1:${gw.stack.gatewayPorts.loopback}`, user, e2eDomain, pbxPassword)),
    );
    t.after(() => browsers.forEach((b) => b.stop()));
    for (const b of browsers) assert.equal(await b.register(), 200);
    const phone = await startSipp({
      name: "phones",
      workDir: gw.stack.workDir,
      scenario: sippScenario("uas-answer.xml"),
      calls: browsers.length,
      timeoutSeconds: 110,
      localAddress: pbxAddress,
      localPort: gw.stack.phonePort,
      rtp: { address: pbxAddress, port: echo.port },
    });
    const sessions = await Promise.all(browsers.map((b) => b.call(`sip:bob@${e2eDomain}`)));
    const ended = sessions.map((session) => new Promise<string>((resolve) => session.once("ended", (e: { originator: string }) => resolve(e.originator))));
    const starvation = await starveKamailioTimers(`http://127.0.0.1:${gw.stack.gatewayPorts.loopback}/RPC`);
    t.after(() => starvation.stop());
    assert.ok(starvation.starved.includes("timer"), `starved: ${starvation.starved.join(", ")}`);

    const [phoneCode, ...originators] = await Promise.all([phone.process.exited, ...ended]);
    starvation.stop();
    assert.deepEqual(
      originators,
      browsers.map(() => "remote"),
      "every browser got a BYE from the gateway",
    );
    const byes = phone.messages().match(/^BYE sip:/gm) ?? [];
    assert.equal(byes.length, browsers.length, `the phones got ${byes.length} BYEs for ${browsers.length} calls:\n${phone.messages().slice(-3000)}`);
    assert.equal(phoneCode, 0, "sipp ended with calls still up");
    await settleWithin(2000, async () => (await countRtpengineCalls(gw.stack.rtpengine)) === 0);
    assert.equal(await countRtpengineCalls(gw.stack.rtpengine), 0, "rtpengine still holds calls 2 s after the BYEs");
  },
);
