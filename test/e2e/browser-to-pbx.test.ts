// Scenario 2: a browser calls a PBX phone. The INVITE leaves the browser as WebRTC SDP (DTLS-SRTP,
// ICE, Opus + PCMU, a video m-line) and reaches the PBX as plain RTP/AVP with G.711; the answer reaches
// the browser as WebRTC SDP and audio flows both ways through rtpengine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectionOf } from "../harness/browser.ts";
import { pbxAddress } from "../harness/gateway-stack.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const gw = useGatewayStack({ browsers: ["alice"] });

test("browser → PBX: WebRTC offer becomes RTP/AVP G.711 at the PBX, answer is WebRTC, audio flows both ways", { timeout: 120_000 }, async (t) => {
  const echo = await startRtpEcho(pbxAddress);
  // Closed also when an assertion fails: an open socket would keep the test process alive until the runner\'s timeout.
  t.after(() => echo.close());
  const phone = await startSipp({
    name: "phone",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uas-answer-video-rejected.xml"),
    localAddress: pbxAddress,
    localPort: gw.stack.phonePort,
    rtp: { address: pbxAddress, port: echo.port },
    calls: 1,
  });
  const session = await gw.browser().call(`sip:bob@${e2eDomain}`, { video: true });

  const offerSent = session._request?.body ?? "";
  assert.match(offerSent, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/);
  assert.match(offerSent, /a=rtpmap:\d+ opus\/48000/i);
  assert.match(offerSent, /a=rtpmap:0 PCMU\/8000/);
  assert.match(offerSent, /a=fingerprint:/);
  assert.match(offerSent, /^m=video /m);

  const invite =
    phone
      .messages()
      .split(/-{20,}/)
      .find((block) => block.includes("INVITE sip:")) ?? "";
  assert.match(invite, /m=audio \d+ RTP\/AVP [0-9 ]*\b0\b/, invite);
  assert.doesNotMatch(invite, /a=(ice-ufrag|candidate|fingerprint|setup)/);
  assert.doesNotMatch(invite, /opus/i);

  const pc = connectionOf(session);
  const answer = pc.remoteDescription?.sdp ?? "";
  assert.match(answer, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/);
  assert.match(answer, /a=ice-ufrag:/);
  assert.match(answer, /a=fingerprint:/);

  await pc.sendAudio(50);
  await settleWithin(3000, () => echo.received >= 45 && pc.received.audio >= 40);
  assert.ok(echo.received >= 45, `the PBX side got ${echo.received} of 50 packets`);
  assert.deepEqual(Object.keys(echo.perPayloadType), ["0"], "the PBX side gets PCMU");
  assert.ok(pc.received.audio >= 40, `the browser got ${pc.received.audio} of 50 echoed packets back`);
  session.terminate();
  assert.equal(await phone.process.exited, 0, `sipp phone failed:\n${phone.messages().slice(-2000)}`);
});
