// Scenario 4: with the strip-video rule the PBX sees no active video stream in either direction and
// the browser's call stays valid (m=video 0); without the rule video is offered, answered and flows.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connectionOf, rejectedMids, startBrowser, type Browser } from "../harness/browser.ts";
import { pbxAddress, pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startCall(stripVideo: boolean) {
  const stack: GatewayStack = await startGatewayStack(
    buildE2eRecipe((r) => (r.gateway.rules = r.gateway.rules.filter((rule: { kind: string }) => stripVideo || rule.kind !== "strip-video"))),
  );
  cleanups.push(() => stack.stop());
  const browser: Browser = await startBrowser(`ws://127.0.0.1:${stack.gatewayPorts.loopback}`, "vic", e2eDomain, pbxPassword);
  cleanups.push(() => browser.stop());
  assert.equal(await browser.register(), 200);
  const audio = await startRtpEcho(pbxAddress);
  const video = await startRtpEcho(pbxAddress);
  cleanups.push(
    () => audio.close(),
    () => video.close(),
  );
  const phone = await startSipp({
    name: "phone",
    workDir: stack.workDir,
    scenario: sippScenario(stripVideo ? "uas-answer-video-rejected.xml" : "uas-answer-video.xml"),
    localAddress: pbxAddress,
    localPort: stack.phonePort,
    rtp: { address: pbxAddress, port: audio.port, videoPort: video.port },
  });
  const session = await browser.call(`sip:bob@${e2eDomain}`, { video: true });
  const invite =
    phone
      .messages()
      .split(/-{20,}/)
      .find((block) => block.includes("INVITE sip:")) ?? "";
  return { stack, browser, session, phone, invite, video };
}

describe("video", () => {
  test("strip-video: the PBX gets m=video 0, the browser's call is answered with m=video 0 and audio works", { timeout: 120_000 }, async () => {
    const { session, phone, invite, video } = await startCall(true);
    assert.match(session._request.body, /^m=video [1-9]/m, "the browser offered video");
    assert.match(invite, /^m=video 0 /m, invite);
    assert.doesNotMatch(invite, /^m=video [1-9]/m);
    const pc = connectionOf(session);
    const answer = pc.remoteDescription?.sdp ?? "";
    assert.match(answer, /^m=video 0 /m);
    assert.deepEqual(rejectedMids(answer), [pc.getTransceivers().find((t) => t.kind === "video")?.mid], "the answer rejects the browser's video m-line");
    await pc.sendAudio(25);
    await settleWithin(3000, () => pc.received.audio >= 20 && pc.connectionState === "connected");
    assert.ok(pc.received.audio >= 20, `audio came back ${pc.received.audio} times`);
    // As in a browser: the call's connection is up on audio alone, and no video moves either way.
    assert.equal(pc.connectionState, "connected");
    assert.equal(pc.received.video, 0, "the browser received no video");
    assert.equal(video.received, 0, "the PBX's video port received nothing");
    session.terminate();
    assert.equal(await phone.process.exited, 0);
  });

  test("without the rule: video is offered to the PBX, answered and flows both ways", { timeout: 120_000 }, async () => {
    const { session, phone, invite, video } = await startCall(false);
    assert.match(invite, /^m=video [1-9]\d* RTP\/AVP/m, invite);
    const pc = connectionOf(session);
    assert.match(pc.remoteDescription?.sdp ?? "", /^m=video [1-9]\d* UDP\/TLS\/RTP\/SAVPF/m);
    await pc.sendMedia("video", 25);
    await settleWithin(3000, () => video.received >= 20 && pc.received.video >= 20);
    assert.ok(video.received >= 20, `the PBX side got ${video.received} of 25 video packets`);
    assert.ok(pc.received.video >= 20, `video came back ${pc.received.video} times`);
    session.terminate();
    assert.equal(await phone.process.exited, 0);
  });
});
