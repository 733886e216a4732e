// The media load generator: both endpoints of every call send 20 ms RTP packets (G.711 unless the caller
// gives other streams; 50 packets/s per direction) on a drift-free absolute schedule, and count what arrives.
import { createSocket, type Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import type { AnchoredCall } from "./gateway-media-calls.ts";
import { deriveSrtpKeys, protectRtp, unprotectRtp } from "./gateway-media-srtp.ts";

/** One UDP media endpoint on 127.0.0.1 and what it received from its peer. */
export interface MediaEndpoint {
  socket: Socket;
  port: number;
  received: number;
  /** Packets that were not the peer's stream (wrong SSRC, payload type or length). */
  foreign: number;
  /** Socket errors (e.g. ECONNREFUSED after rtpengine closed its port). */
  errors: number;
  /** The first packet received, kept for the SRTP check. */
  first?: Buffer;
}

/** What one pumping run measured. */
export interface PumpResult {
  sent: number;
  received: number;
  foreign: number;
  /** Socket errors on the endpoints (none expected while rtpengine holds the calls). */
  errors: number;
  /** Sends more than `lateMs` behind their scheduled time (the generator fell behind). */
  lateSends: number;
  maxLagMs: number;
  /** Transit time of received packets (from the actual send to the receive callback), percentiles in ms. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** The same per direction: packets B sent that reached A, and packets A sent that reached B. */
  toA: { received: number; delayP50Ms: number; delayP99Ms: number; delayMaxMs: number };
  toB: { received: number; delayP50Ms: number; delayP99Ms: number; delayMaxMs: number };
  /** Wall time from `onStart` (50 ms before the first send) to the end of the drain. */
  wallMs: number;
  /** True when a packet rtpengine encrypted toward B decrypted to A's payload (SRTP leg only). */
  srtpChecked?: boolean;
}

/** What one side of every call sends, and how its peer recognises it. */
export interface MediaStream {
  /** The k-th packet call `i`'s endpoint sends. */
  packet(i: number, k: number): Buffer;
  /**
   * The index k of a received packet of this stream on call `i` (`ordinal`: packets of it accepted so far on that
   * endpoint, for streams a transcoder renumbers), or undefined when the packet is not this stream (foreign).
   */
  index(packet: Buffer, i: number, ordinal: number): number | undefined;
}

/** Where an endpoint sends: the relay's port for A's leg and for B's leg. */
export type CallPorts = Pick<AnchoredCall, "portForA" | "portForB" | "keys">;

/** Packet cadence and run length. */
export interface PumpOptions {
  /** What A (endpoint 2i) and B (endpoint 2i+1) send; plain G.711 (B SDES-SRTP when the calls have keys) unless given. */
  streams?: { a: MediaStream; b: MediaStream };
  seconds: number;
  /** A send later than this behind its target counts as late (default: one packet interval, 20 ms). */
  lateMs?: number;
  /** How long to keep counting after the last send (default 1000 ms); later packets count as lost. */
  drainMs?: number;
  /** Stops sending early (Ctrl-C); the counts so far are returned. */
  signal?: AbortSignal;
  /** Called just before the first send, e.g. to sample CPU. */
  onStart?: () => void;
  /** Called after the drain, before the counts are read, e.g. to sample CPU. */
  onDrained?: () => void;
}

const packetMs = 20;
const samplesPerPacket = 160;
const payloadType = 0; // PCMU
const headerBytes = 12;
const srtpTagBytes = 10;
const bSsrc = 0x0b0b0b0b;
const delayBucketMs = 0.1;
const delayBuckets = 100000; // up to 10 s
const payload = Buffer.alloc(samplesPerPacket, 0xd5); // PCMU near-silence with a recognisable byte

// Binds `count` endpoints on 127.0.0.1 (kernel-chosen ports).
export async function openEndpoints(count: number): Promise<MediaEndpoint[]> {
  const endpoints: MediaEndpoint[] = [];
  for (let i = 0; i < count; i++) {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve());
    });
    const endpoint: MediaEndpoint = { socket, port: socket.address().port, received: 0, foreign: 0, errors: 0 };
    socket.on("error", () => endpoint.errors++);
    endpoints.push(endpoint);
  }
  return endpoints;
}

// Closes endpoints (ignores ones already closed).
export async function closeEndpoints(endpoints: MediaEndpoint[]): Promise<void> {
  await Promise.all(
    endpoints.map(
      (e) =>
        new Promise<void>((resolve) => {
          try {
            e.socket.close(() => resolve());
          } catch {
            resolve();
          }
        }),
    ),
  );
}

// Pumps RTP on every call for `options.seconds`: A (endpoint 2i) ↔ rtpengine ↔ B (endpoint 2i+1). Calls are
// spread over the 20 ms cycle (call i sends at i mod 20 ms); each tick targets start + k ms, so late
// wake-ups catch up instead of drifting, and every send's lag behind its target is measured.
export async function pumpMedia(calls: CallPorts[], endpoints: MediaEndpoint[], options: PumpOptions): Promise<PumpResult> {
  const packets = Math.round((options.seconds * 1000) / packetMs);
  const lateMs = options.lateMs ?? packetMs;
  if (packets > 0xffff) throw new Error("a run must fit in one RTP sequence-number cycle (about 21 minutes)");
  const streams = options.streams ?? buildG711Streams(calls, packets);
  const totalTicks = packets * packetMs;
  const sentAt = new Float64Array(totalTicks);
  const delays = new Uint32Array(delayBuckets + 1);
  const delaysToA = new Uint32Array(delayBuckets + 1);
  const delaysToB = new Uint32Array(delayBuckets + 1);

  await Promise.all(
    calls.map(async (call, i) => {
      const a = endpoints[2 * i]!;
      const b = endpoints[2 * i + 1]!;
      const arrival = (direction: Uint32Array) => (k: number) => {
        const tick = k * packetMs + (i % packetMs);
        if (tick >= totalTicks) return;
        const bucket = Math.min(delayBuckets, Math.round((performance.now() - sentAt[tick]!) / delayBucketMs));
        delays[bucket]!++;
        direction[bucket]!++;
      };
      listen(a, (packet) => streams.b.index(packet, i, a.received), arrival(delaysToA));
      listen(b, (packet) => streams.a.index(packet, i, b.received), arrival(delaysToB));
      await Promise.all([connect(a.socket, call.portForA), connect(b.socket, call.portForB)]);
    }),
  );

  const none = { received: 0, delayP50Ms: 0, delayP99Ms: 0, delayMaxMs: 0 };
  const result: PumpResult = {
    sent: 0,
    received: 0,
    foreign: 0,
    errors: 0,
    lateSends: 0,
    maxLagMs: 0,
    delayP50Ms: 0,
    delayP99Ms: 0,
    delayMaxMs: 0,
    toA: none,
    toB: none,
    wallMs: 0,
  };
  let start = 0;
  let tick = 0;
  let began = 0;
  await new Promise<void>((resolve) => {
    const step = () => {
      while (tick < totalTicks && !options.signal?.aborted) {
        const now = performance.now();
        const target = start + tick;
        if (target > now) break;
        const lag = now - target;
        const k = Math.floor(tick / packetMs);
        sentAt[tick] = now;
        for (let i = tick % packetMs; i < calls.length; i += packetMs) {
          endpoints[2 * i]!.socket.send(streams.a.packet(i, k));
          endpoints[2 * i + 1]!.socket.send(streams.b.packet(i, k));
          result.sent += 2;
          if (lag > lateMs) result.lateSends += 2;
        }
        if (lag > result.maxLagMs) result.maxLagMs = lag;
        tick++;
      }
      if (tick >= totalTicks || options.signal?.aborted) resolve();
      else setTimeout(step, Math.max(0, start + tick - performance.now()));
    };
    // The schedule starts after onStart (which may read /proc for a while), so its first ticks are not already late.
    options.onStart?.();
    began = performance.now();
    start = began + 50;
    setTimeout(step, 50);
  });
  if (options.signal?.aborted) return result;
  await new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 1000));
  options.onDrained?.();
  result.wallMs = performance.now() - began;
  for (const e of endpoints) {
    result.received += e.received;
    result.foreign += e.foreign;
    result.errors += e.errors;
  }
  Object.assign(result, delayPercentiles(delays, result.received));
  const receivedAt = (side: number) => endpoints.filter((_, n) => n % 2 === side).reduce((sum, e) => sum + e.received, 0);
  result.toA = { received: receivedAt(0), ...delayPercentiles(delaysToA, receivedAt(0)) };
  result.toB = { received: receivedAt(1), ...delayPercentiles(delaysToB, receivedAt(1)) };
  if (!options.streams && calls[0]?.keys) result.srtpChecked = checkSrtp(calls[0], endpoints[1]!);
  return result;
}

// The G.711 benchmark's streams: A sends PCMU with its own SSRC per call; B sends one shared PCMU stream,
// SRTP-protected with B's SDES key when the calls have keys. Packets are recognised by SSRC, payload type and length.
function buildG711Streams(calls: CallPorts[], packets: number): { a: MediaStream; b: MediaStream } {
  const bKeys = calls[0]?.keys ? deriveSrtpKeys(calls[0].keys.fromB) : undefined;
  // B's stream is the same for every call (same SSRC and, on the SRTP leg, the same SDES key), so it is built once.
  const bPackets = Array.from({ length: packets }, (_, k) => {
    const plain = rtpPacket(bSsrc, k);
    return bKeys ? protectRtp(bKeys, plain) : plain;
  });
  const aSsrc = (i: number) => (0x0a000000 + i) >>> 0;
  const bLength = headerBytes + samplesPerPacket + (bKeys ? srtpTagBytes : 0);
  const sequenceIndex = (packet: Buffer, ssrc: number, length: number) =>
    packet.length === length && (packet[1]! & 0x7f) === payloadType && packet.readUInt32BE(8) === ssrc ? packet.readUInt16BE(2) - 1 : undefined;
  return {
    a: { packet: (i, k) => rtpPacket(aSsrc(i), k), index: (packet, i) => sequenceIndex(packet, aSsrc(i), bLength) },
    b: { packet: (_i, k) => bPackets[k]!, index: (packet) => sequenceIndex(packet, bSsrc, headerBytes + samplesPerPacket) },
  };
}

// An RTP packet of PCMU: sequence k + 1, timestamp 160 k, marker on the first packet.
function rtpPacket(ssrc: number, k: number): Buffer {
  const packet = Buffer.allocUnsafe(headerBytes + samplesPerPacket);
  packet[0] = 0x80;
  packet[1] = (k === 0 ? 0x80 : 0) | payloadType;
  packet.writeUInt16BE((k + 1) & 0xffff, 2);
  packet.writeUInt32BE((k * samplesPerPacket) >>> 0, 4);
  packet.writeUInt32BE(ssrc, 8);
  payload.copy(packet, headerBytes);
  return packet;
}

// Counts packets of the expected stream (`index` recognises them); anything else is foreign.
function listen(endpoint: MediaEndpoint, index: (packet: Buffer) => number | undefined, arrival: (k: number) => void): void {
  endpoint.socket.on("message", (packet) => {
    const k = index(packet);
    if (k === undefined) {
      endpoint.foreign++;
      return;
    }
    endpoint.received++;
    arrival(k);
    endpoint.first ??= Buffer.from(packet);
  });
}

function delayPercentiles(histogram: Uint32Array, count: number): Pick<PumpResult, "delayP50Ms" | "delayP99Ms" | "delayMaxMs"> {
  const at = (fraction: number) => {
    let seen = 0;
    for (let bucket = 0; bucket < histogram.length; bucket++) {
      seen += histogram[bucket]!;
      if (seen >= fraction * count) return bucket * delayBucketMs;
    }
    return 0;
  };
  return { delayP50Ms: at(0.5), delayP99Ms: at(0.99), delayMaxMs: at(1) };
}

function connect(socket: Socket, port: number): Promise<void> {
  return new Promise((resolve) => socket.connect(port, "127.0.0.1", () => resolve()));
}

// Decrypts B's first packet with the key rtpengine offered toward B: it must carry A's payload.
function checkSrtp(call: CallPorts, b: MediaEndpoint): boolean {
  if (!call.keys || !b.first) return false;
  const plain = unprotectRtp(deriveSrtpKeys(call.keys.toB), b.first);
  return plain !== undefined && plain.subarray(headerBytes).equals(payload);
}
