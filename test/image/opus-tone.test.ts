// The browser stand-in's Opus frames (image/smoke/opus-tone.ts) are real Opus: a real rtpengine (libopus), as the
// VM's does when it transcodes, decodes them to PCMU, and what comes out is the 440 Hz tone at about -12 dBFS.
// The same path fed random bytes of the same sizes carries no such tone, so the check could fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { opusToneFrames } from "../../image/smoke/opus-tone.ts";
import { decodeG711 } from "../../gateway/media/audio/g711.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { startRtpengine, type RunningRtpengine } from "../harness/rtpengine.ts";
import { sleep } from "../harness/start-process.ts";
import { sendNgCommand } from "../gateway/rtpengine-ng.ts";
import { measureRms, measureToneShare } from "../gateway/media-audio.ts";
import { makeTempDir } from "../make-temp-dir.ts";
import { plainSdp } from "../../bench/webrtc/browsers.ts";
import { rtpPacket } from "../../bench/webrtc/streams.ts";

test("the Opus tone frames decode to a 440 Hz tone in rtpengine's Opus → PCMU transcoder; random bytes do not", { timeout: 60_000 }, async (t) => {
  assert.equal(opusToneFrames.length, 50);
  const [ngPort] = await findFreePorts(1);
  const engine = await startRtpengine(makeTempDir(t, "rtcgw-opus-tone-"), { ngPort: ngPort!, ports: 40, threads: 1 });
  t.after(() => engine.process.stop());

  const tone = await decodeThroughRtpengine(engine, "tone", opusToneFrames);
  // The decoder's first frames carry its start-up; the tone is judged on the rest.
  const steady = tone.samples.subarray(10 * 160);
  const toneShare = measureToneShare(steady, 440);
  const level = measureRms(steady);
  console.log(`opus-tone: ${tone.packets} PCMU packets from 50 Opus frames; 440 Hz share ${toneShare.toFixed(3)}, RMS ${level.toFixed(0)}`);
  assert.ok(tone.packets >= 45, `rtpengine sent ${tone.packets} PCMU packets for 50 Opus frames`);
  assert.ok(toneShare > 0.9, `440 Hz carries ${toneShare.toFixed(3)} of the decoded energy`);
  // The tone's RMS is 8000/√2 ≈ 5660 before encoding; it comes out at about 4000 (measured), with rtpengine's stereo
  // encoding and downmix. Silence or a decoder's comfort noise would be far below, clipping far above.
  assert.ok(level > 2000 && level < 8000, `the decoded tone's RMS is ${level.toFixed(0)}`);

  const noise = await decodeThroughRtpengine(
    engine,
    "noise",
    opusToneFrames.map((frame) => randomBytes(frame.length)),
  );
  const noiseShare = measureToneShare(noise.samples.subarray(10 * 160), 440);
  console.log(`opus-tone: random bytes: ${noise.packets} PCMU packets, 440 Hz share ${noiseShare.toFixed(3)}`);
  assert.ok(noiseShare < 0.5, `random bytes decoded to a 440 Hz share of ${noiseShare.toFixed(3)}`);
});

// Sends `frames` as Opus (payload type 111, 20 ms apart) into a call rtpengine transcodes to PCMU; returns the PCMU
// packets' count and samples, in arrival order.
async function decodeThroughRtpengine(engine: RunningRtpengine, callId: string, frames: readonly Buffer[]): Promise<{ packets: number; samples: Int16Array }> {
  const [opus, pcmu] = await Promise.all([bindLoopback(), bindLoopback()]);
  try {
    const offer = await sendNgCommand(engine.ngPort, {
      command: "offer",
      "call-id": callId,
      "from-tag": "opus",
      sdp: plainSdp(opus.address().port, "opus"),
      flags: ["trust-address"],
      codec: { transcode: ["PCMU"], mask: ["opus"] },
    });
    assert.match(String(offer.sdp), /^m=audio \d+ RTP\/AVP 0\r?$/m, "rtpengine offers PCMU only to the other side");
    const answer = await sendNgCommand(engine.ngPort, {
      command: "answer",
      "call-id": callId,
      "from-tag": "opus",
      "to-tag": "pcmu",
      sdp: plainSdp(pcmu.address().port, "PCMU"),
      flags: ["trust-address"],
    });
    const target = Number(/^m=audio (\d+) /m.exec(String(answer.sdp))?.[1]);
    const payloads: Buffer[] = [];
    pcmu.on("message", (packet) => {
      if ((packet[1]! & 0x7f) === 0) payloads.push(packet.subarray(12));
    });
    for (const [k, frame] of frames.entries()) {
      opus.send(rtpPacket(111, 0x0b05, k, 960, frame), target, "127.0.0.1"); // 960 samples: 20 ms at 48 kHz
      await sleep(20);
    }
    await sleep(200);
    const samples = new Int16Array(payloads.reduce((sum, payload) => sum + payload.length, 0));
    let offset = 0;
    for (const payload of payloads) {
      decodeG711("PCMU", payload, samples, offset);
      offset += payload.length;
    }
    return { packets: payloads.length, samples };
  } finally {
    await sendNgCommand(engine.ngPort, { command: "delete", "call-id": callId }).catch(() => undefined);
    opus.close();
    pcmu.close();
  }
}

function bindLoopback(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve(socket)));
}
