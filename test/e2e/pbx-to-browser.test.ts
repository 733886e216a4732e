// Scenario 3: a phone behind the PBX calls a registered gw.browser(). The PBX finds the browser through the
// gateway's Path, the gateway delivers the call over WebSocket with a WebRTC offer, the browser
// answers and audio flows both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectionOf } from "../harness/browser.ts";
import { pbxAddress } from "../harness/gateway-stack.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const gw = useGatewayStack({ browsers: ["carol"], browserListener: "ws" });

test("PBX → browser through the Path: the browser gets a WebRTC offer, answers, audio flows both ways", { timeout: 120_000 }, async (t) => {
  const echo = await startRtpEcho(pbxAddress);
  // Closed also when an assertion fails: an open socket would keep the test process alive until the runner\'s timeout.
  t.after(() => echo.close());
  const [phonePort] = await findFreePorts(1);
  const answered = gw.browser().answerNext();
  const phone = await startSipp({
    name: "caller",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uac-call.xml"),
    remote: `${pbxAddress}:${gw.stack.pbxPort}`,
    localAddress: pbxAddress,
    localPort: phonePort!,
    rtp: { address: pbxAddress, port: echo.port },
    extraArgs: ["-s", "carol", "-d", "4000"],
    keys: { domain: e2eDomain },
  });
  const session = await answered;
  const pc = connectionOf(session);
  const offer = gw.browser().received.find((message) => message.startsWith("INVITE ")) ?? "";
  assert.match(offer, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/);
  assert.match(offer, /a=ice-ufrag:/);
  assert.match(offer, /a=fingerprint:/);
  assert.match(offer, /a=rtcp-mux/);

  await pc.sendAudio(50);
  await settleWithin(3000, () => echo.received >= 45 && pc.received.audio >= 45);
  assert.ok(echo.received >= 45, `the PBX side got ${echo.received} of 50 packets`);
  assert.ok(pc.received.audio >= 45, `the browser got ${pc.received.audio} of 50 echoed packets back`);
  assert.equal(await phone.process.exited, 0, `the sipp caller failed:\n${phone.messages().slice(-3000)}`);
});
