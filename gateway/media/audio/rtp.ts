// RTP packets (RFC 3550): strict parsing of what arrives, writing of what the service sends. No sockets here.

/** The parts of a received RTP packet the mixer uses. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

/** What the sender of one leg keeps between packets. */
export interface RtpSenderState {
  ssrc: number;
  sequence: number;
  timestamp: number;
  first: boolean;
}

const headerLength = 12;

// Parses one RTP datagram; undefined for anything that is not a well-formed RTP version 2 packet (RTCP included).
export function parseRtpPacket(datagram: Uint8Array): RtpPacket | undefined {
  if (datagram.length < headerLength || datagram[0]! >> 6 !== 2) return undefined;
  const first = datagram[0]!;
  const second = datagram[1]!;
  const payloadType = second & 0x7f;
  // 72-79 collide with RTCP packet types (RFC 5761): never audio.
  if (payloadType >= 72 && payloadType <= 79) return undefined;
  let offset = headerLength + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (datagram.length < offset + 4) return undefined;
    offset += 4 + ((datagram[offset + 2]! << 8) | datagram[offset + 3]!) * 4;
  }
  let end = datagram.length;
  if (first & 0x20) {
    const padding = datagram[end - 1]!;
    if (padding === 0) return undefined;
    end -= padding;
  }
  if (offset > end) return undefined;
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  return {
    payloadType,
    marker: (second & 0x80) !== 0,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: datagram.subarray(offset, end),
  };
}

// Starts the sender state of a new leg with random SSRC, sequence and timestamp (RFC 3550 5.1).
export function createRtpSender(random: () => number = Math.random): RtpSenderState {
  return {
    ssrc: Math.floor(random() * 0x100000000) >>> 0,
    sequence: Math.floor(random() * 0x10000),
    timestamp: Math.floor(random() * 0x100000000) >>> 0,
    first: true,
  };
}

// Writes the next packet of a leg into `out` (12 + payload bytes) and advances the sender state.
export function writeRtpPacket(state: RtpSenderState, payloadType: number, payload: Uint8Array, out: Uint8Array): number {
  out[0] = 0x80;
  out[1] = (state.first ? 0x80 : 0) | (payloadType & 0x7f);
  out[2] = state.sequence >> 8;
  out[3] = state.sequence & 0xff;
  out[4] = state.timestamp >>> 24;
  out[5] = (state.timestamp >>> 16) & 0xff;
  out[6] = (state.timestamp >>> 8) & 0xff;
  out[7] = state.timestamp & 0xff;
  out[8] = state.ssrc >>> 24;
  out[9] = (state.ssrc >>> 16) & 0xff;
  out[10] = (state.ssrc >>> 8) & 0xff;
  out[11] = state.ssrc & 0xff;
  out.set(payload, headerLength);
  state.first = false;
  state.sequence = (state.sequence + 1) & 0xffff;
  state.timestamp = (state.timestamp + payload.length) >>> 0;
  return headerLength + payload.length;
}
