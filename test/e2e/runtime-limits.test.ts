// Issue 6 on the real gateway: the limits first boot writes to /etc/rtcgw/kamailio-runtime.cfg (license,
// demo mode) win over the recipe's. The recipe allows 60 s calls; the runtime file says 4 s and one
// parallel call: a second call while one is up gets 503, and the gateway ends the call at 4 ± 1 s with a
// BYE to both sides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderKamailioDefines } from "../../gateway/agent/firstboot/render-runtime-settings.ts";
import { pbxAddress } from "../harness/gateway-stack.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const runtimeFile = renderKamailioDefines({
  identity: { instanceId: "i-0123456789abcdef0", region: "us-east-1", localIpv4: "127.0.0.1", publicIpv4: "127.0.0.1" },
  limits: { mode: "licensed", maxCallSeconds: 4, maxParallelCalls: 1, summary: "" },
  advertise: undefined,
});

const gw = useGatewayStack({
  recipe: buildE2eRecipe((r) => r.gateway.rules.push({ kind: "max-call-duration", limit: "60s" })),
  runtimeFile,
  browsers: ["frank", "grace"],
});

test(
  "runtime file: a second parallel call gets 503; the call ends at the file's 4 s (not the recipe's 60 s) with BYE to both sides",
  { timeout: 120_000 },
  async (t) => {
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
    const session = await gw.browser("frank").call(`sip:bob@${e2eDomain}`);
    const answeredAt = Date.now();
    const browserEnded = new Promise<{ at: number; originator: string }>((resolve) =>
      session.once("ended", (e: { originator: string }) => resolve({ at: Date.now(), originator: e.originator })),
    );
    const phoneEnded = phone.process.exited.then((code) => ({ at: Date.now(), code }));

    const refused = await gw
      .browser("grace")
      .call(`sip:bob@${e2eDomain}`)
      .then(
        () => assert.fail("a second call went through although the runtime file allows one"),
        (error: { status?: number }) => error,
      );
    assert.equal(refused.status, 503);

    const [browserEnd, phoneEnd] = await Promise.all([browserEnded, phoneEnded]);
    const browserSeconds = (browserEnd.at - answeredAt) / 1000;
    const phoneSeconds = (phoneEnd.at - answeredAt) / 1000;
    assert.equal(browserEnd.originator, "remote", "the browser did not hang up itself");
    assert.ok(Math.abs(browserSeconds - 4) <= 1, `the browser got its BYE after ${browserSeconds} s`);
    assert.equal(phoneEnd.code, 0, `the phone did not get a BYE:\n${phone.messages().slice(-2000)}`);
    assert.ok(Math.abs(phoneSeconds - 4) <= 1, `the phone got its BYE after ${phoneSeconds} s`);
    assert.match(phone.messages(), /^BYE sip:/m);
  },
);
