// The media state of one call leg: negotiated codec, a small jitter buffer of decoded samples, and its RTP sender.
import { decodeG711, type G711Codec } from "./g711.ts";
import { createRtpSender, type RtpPacket, type RtpSenderState } from "./rtp.ts";
import type { AudioChoice, Direction } from "../sdp/sdp-answer.ts";

/** Samples per 20 ms frame at 8 kHz. */
export const frameSamples = 160;
const capacity = 8 * frameSamples;
const primeLevel = 2 * frameSamples;
const maxLevel = 6 * frameSamples;

/** One leg's media state; sockets live elsewhere. */
export interface MediaLeg {
  codec: G711Codec;
  payloadType: number;
  dtmfPayloadType: number | undefined;
  remote: { address: string; port: number };
  /** Our direction: we send unless recvonly/inactive; we mix the leg's audio only when sendrecv (hold excluded). */
  direction: Direction;
  sender: RtpSenderState;
  lastRtpAt: number;
  packetsIn: number;
  packetsOut: number;
  lastDtmfTimestamp: number | undefined;
  buffer: Int16Array;
  readIndex: number;
  level: number;
  primed: boolean;
  decoded: Int16Array;
}

// A leg for a negotiated audio stream; `now` starts its RTP-timeout clock.
export function createMediaLeg(choice: AudioChoice, now: number): MediaLeg {
  return {
    codec: choice.codec,
    payloadType: choice.payloadType,
    dtmfPayloadType: choice.dtmfPayloadType,
    remote: choice.remote,
    direction: choice.direction,
    sender: createRtpSender(),
    lastRtpAt: now,
    packetsIn: 0,
    packetsOut: 0,
    lastDtmfTimestamp: undefined,
    buffer: new Int16Array(capacity),
    readIndex: 0,
    level: 0,
    primed: false,
    decoded: new Int16Array(capacity),
  };
}

// Applies a re-INVITE's choice (hold, unhold, new address or codec) to a running leg.
export function updateMediaLeg(leg: MediaLeg, choice: AudioChoice, now: number): void {
  leg.codec = choice.codec;
  leg.payloadType = choice.payloadType;
  leg.dtmfPayloadType = choice.dtmfPayloadType;
  leg.remote = choice.remote;
  leg.direction = choice.direction;
  leg.lastRtpAt = now;
  leg.level = 0;
  leg.primed = false;
}

// True when the service sends RTP to this leg.
export function isSending(leg: MediaLeg): boolean {
  return leg.direction === "sendrecv" || leg.direction === "sendonly";
}

// Takes in one RTP packet: audio goes to the jitter buffer, a finished DTMF event is returned for the log.
export function acceptRtp(leg: MediaLeg, packet: RtpPacket, now: number): { dtmf: number } | undefined {
  if (packet.payloadType === leg.dtmfPayloadType) {
    leg.lastRtpAt = now;
    const ended = packet.payload.length >= 4 && (packet.payload[1]! & 0x80) !== 0;
    if (!ended || leg.lastDtmfTimestamp === packet.timestamp) return undefined;
    leg.lastDtmfTimestamp = packet.timestamp;
    return { dtmf: packet.payload[0]! };
  }
  if (packet.payloadType !== leg.payloadType) return undefined;
  leg.lastRtpAt = now;
  leg.packetsIn++;
  if (leg.direction !== "sendrecv" || packet.payload.length === 0) return undefined;
  const samples = Math.min(packet.payload.length, capacity);
  decodeG711(leg.codec, packet.payload.subarray(0, samples), leg.decoded);
  for (let i = 0; i < samples; i++) leg.buffer[(leg.readIndex + leg.level + i) % capacity] = leg.decoded[i]!;
  leg.level += samples;
  // Keep latency bounded: beyond six frames, drop the oldest audio down to three.
  if (leg.level > maxLevel) {
    const drop = leg.level - 3 * frameSamples;
    leg.readIndex = (leg.readIndex + drop) % capacity;
    leg.level -= drop;
  }
  return undefined;
}

// Copies the next 20 ms of the leg's audio into `out`; false (and `out` untouched) while it has none to give.
export function takeFrame(leg: MediaLeg, out: Int16Array): boolean {
  if (!leg.primed) {
    if (leg.level < primeLevel) return false;
    leg.primed = true;
  }
  if (leg.level < frameSamples) {
    leg.primed = false;
    return false;
  }
  for (let i = 0; i < frameSamples; i++) out[i] = leg.buffer[(leg.readIndex + i) % capacity]!;
  leg.readIndex = (leg.readIndex + frameSamples) % capacity;
  leg.level -= frameSamples;
  return true;
}
