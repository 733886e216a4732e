// What the WebRTC benchmark's endpoints send: a 440 Hz tone as PCMU (call and packet index in the first four
// payload bytes, so a relayed packet is matched to its call and send time) or real Opus frames of that tone.
import { encodeG711 } from "../../gateway/media/audio/g711.ts";
import type { MediaStream } from "../gateway-media-pump.ts";
import { browserCodecs, type BrowserCodec } from "./browsers.ts";

const samplesPerPacket = 160;
const headerBytes = 12;

// The k-th 20 ms of a 440 Hz tone at about -12 dBFS, as PCMU.
export function tonePcmu(k: number): Buffer {
  const samples = Array.from({ length: samplesPerPacket }, (_, n) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * (samplesPerPacket * k + n)) / 8000)));
  const payload = Buffer.alloc(samplesPerPacket);
  encodeG711("PCMU", samples, payload);
  return payload;
}

// An RTP packet: version 2, marker on the first, sequence k + 1, timestamp `samples` × k.
export function rtpPacket(payloadType: number, ssrc: number, k: number, samples: number, payload: Buffer): Buffer {
  const packet = Buffer.allocUnsafe(headerBytes + payload.length);
  packet[0] = 0x80;
  packet[1] = (k === 0 ? 0x80 : 0) | payloadType;
  packet.writeUInt16BE((k + 1) & 0xffff, 2);
  packet.writeUInt32BE((samples * k) >>> 0, 4);
  packet.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(packet, headerBytes);
  return packet;
}

/** What one side sends and how the other side recognises it after the relay. */
export interface StreamChoice {
  /** The codec this side sends. */
  sends: BrowserCodec;
  /** The codec the peer receives (different when the relay transcodes). */
  peerReceives: BrowserCodec;
  /** The SSRC call i sends with (the one its SDP signalled). */
  ssrcOf: (i: number) => number;
  /** Opus payloads to loop (for `sends: "opus"`). */
  opusFrames?: Buffer[];
  /** Added to the RTP sequence number and timestamp of packet k (a transcoder drops a sequence number it has seen). */
  sequenceOffset?: number;
}

// A pump stream: marked PCMU tone or looped Opus frames; passed-through PCMU is matched by its mark, anything
// transcoded by payload type (and length for PCMU), its index being its arrival order (rtpengine's transcoder
// numbers its output itself; it carries one frame out per frame in, so the k-th out is the k-th in, and a frame the
// encoder holds back shows as added delay).
export function buildStream(choice: StreamChoice): MediaStream {
  const tone = Array.from({ length: 50 }, (_, k) => tonePcmu(k));
  const sendType = browserCodecs[choice.sends].payloadType;
  const receiveType = browserCodecs[choice.peerReceives].payloadType;
  const transcoded = choice.sends !== choice.peerReceives;
  const frames = choice.opusFrames ?? [];
  const offset = choice.sequenceOffset ?? 0;
  if (choice.sends === "opus" && frames.length === 0) throw new Error("an Opus stream needs Opus frames");
  return {
    packet: (i, k) => {
      if (choice.sends === "opus") return rtpPacket(sendType, choice.ssrcOf(i), k + offset, 960, frames[k % frames.length]!);
      const payload = Buffer.from(tone[k % tone.length]!);
      payload.writeUInt16BE(i & 0xffff, 0);
      payload.writeUInt16BE(k & 0xffff, 2);
      return rtpPacket(sendType, choice.ssrcOf(i), k + offset, samplesPerPacket, payload);
    },
    index: (packet, i, ordinal) => {
      if (packet.length < headerBytes + 1 || (packet[1]! & 0x7f) !== receiveType) return undefined;
      if (choice.peerReceives === "PCMU" && packet.length !== headerBytes + samplesPerPacket) return undefined;
      if (transcoded) return ordinal;
      return packet.readUInt16BE(headerBytes) === (i & 0xffff) ? packet.readUInt16BE(headerBytes + 2) : undefined;
    },
  };
}
