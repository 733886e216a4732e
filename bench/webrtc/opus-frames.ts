// Real Opus frames for the browsers' Opus stream: a 1 s 440 Hz tone sent as PCMU through a transcoding
// session of the browser rtpengine, captured on the Opus side. Encoded once per run; senders loop them.
import { createSocket, type Socket } from "node:dgram";
import { mediaPort, ngCommand } from "../gateway-media-calls.ts";
import type { Browsers } from "./browsers.ts";
import { plainSdp } from "./browsers.ts";
import { rtpPacket, tonePcmu } from "./streams.ts";

const frames = 50;

// Returns 50 consecutive 20 ms Opus payloads of a 440 Hz tone (encoded by libopus inside rtpengine).
export async function encodeOpusTone(browsers: Browsers): Promise<Buffer[]> {
  const [pcmu, opus] = await Promise.all([bindLoopback(), bindLoopback()]);
  const callId = `opus-tone-${process.pid}`;
  try {
    const offer = await ngCommand(browsers.engine, {
      command: "offer",
      "call-id": callId,
      "from-tag": "pcmu",
      sdp: plainSdp(pcmu.address().port, "PCMU"),
      flags: ["trust-address"],
      replace: ["origin", "session-connection"],
      codec: { transcode: ["opus/48000/2"], mask: ["PCMU"] },
    });
    const answer = await ngCommand(browsers.engine, {
      command: "answer",
      "call-id": callId,
      "from-tag": "pcmu",
      "to-tag": "opus",
      sdp: plainSdp(opus.address().port, "opus"),
      flags: ["trust-address"],
      replace: ["origin", "session-connection"],
    });
    if (!/opus/.test(String(offer.sdp))) throw new Error(`the browser rtpengine offered no Opus:\n${String(offer.sdp)}`);
    const captured: Buffer[] = [];
    opus.on("message", (packet) => {
      if ((packet[1]! & 0x7f) === 111 && captured.length < frames) captured.push(Buffer.from(packet.subarray(12)));
    });
    const target = mediaPort(String(answer.sdp));
    for (let k = 0; k < frames + 25 && captured.length < frames; k++) {
      pcmu.send(rtpPacket(0, 0x70e70e, k, 160, tonePcmu(k)), target, "127.0.0.1");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (captured.length < frames) throw new Error(`captured ${captured.length} of ${frames} Opus frames from the browser rtpengine`);
    return captured;
  } finally {
    await browsers.delete(callId);
    pcmu.close();
    opus.close();
  }
}

function bindLoopback(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve(socket)));
}
