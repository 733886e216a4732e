// Scenario 8: when rtpengine has no media ports left, a new call is refused with 503 by the gateway
// instead of going through unanchored (the PBX never sees it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { pbxAddress } from "../harness/gateway-stack.ts";
import { countRtpengineCalls } from "../harness/rtpengine.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

// rtpengine takes 4 ports per bridged call: 4 ports hold exactly one.
const gw = useGatewayStack({ rtpPortCount: 4, browsers: ["erin"] });

test("rtpengine out of ports: the next call gets 503 from the gateway and never reaches the PBX", { timeout: 120_000 }, async (t) => {
  const echo = await startRtpEcho(pbxAddress);
  // Closed also when an assertion fails: an open socket would keep the test process alive until the runner\'s timeout.
  t.after(() => echo.close());
  const phone = await startSipp({
    name: "phone",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress,
    localPort: gw.stack.phonePort,
    rtp: { address: pbxAddress, port: echo.port },
  });
  const first = await gw.browser().call(`sip:bob@${e2eDomain}`);
  assert.equal(await countRtpengineCalls(gw.stack.rtpengine), 1);

  const refused = await gw
    .browser()
    .call(`sip:bob@${e2eDomain}`)
    .then(
      () => assert.fail("the second call was answered although rtpengine had no ports left"),
      (error: { status?: number }) => error,
    );
  assert.equal(refused.status, 503);
  const reply = gw.browser().received.find((message) => message.startsWith("SIP/2.0 503")) ?? "";
  assert.match(reply, /^SIP\/2.0 503 Media Relay Unavailable/, `the 503 must come from the gateway:\n${reply}`);
  assert.equal(phone.messages().match(/^INVITE sip:/gm)?.length, 1, "the refused call reached the PBX");

  first.terminate();
  assert.equal(await phone.process.exited, 0);
});
