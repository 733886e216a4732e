// G.711 μ-law (PCMU) and A-law (PCMA) by table lookup: the mixer decodes and encodes every sample of every leg.

/** A G.711 variant, named as in SDP. */
export type G711Codec = "PCMU" | "PCMA";

const ulawBias = 0x84;
const ulawClip = 32635;
const alawSegmentEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
const ulawDecodeTable = buildDecodeTable(decodeUlawSample);
const alawDecodeTable = buildDecodeTable(decodeAlawSample);
const ulawEncodeTable = buildEncodeTable(encodeUlawSample);
const alawEncodeTable = buildEncodeTable(encodeAlawSample);

// Decodes G.711 bytes into 16-bit samples written to `out` (which must be at least as long).
export function decodeG711(codec: G711Codec, bytes: Uint8Array, out: Int16Array, outOffset = 0): void {
  const table = codec === "PCMU" ? ulawDecodeTable : alawDecodeTable;
  for (let i = 0; i < bytes.length; i++) out[outOffset + i] = table[bytes[i]!]!;
}

// Encodes 16-bit samples (any integer; clipped to 16 bits by the caller) into G.711 bytes.
export function encodeG711(codec: G711Codec, samples: ArrayLike<number>, out: Uint8Array): void {
  const table = codec === "PCMU" ? ulawEncodeTable : alawEncodeTable;
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]! & 0xffff]!;
}

// The byte a silent frame is made of (digital silence differs between the two laws).
export function silenceByte(codec: G711Codec): number {
  return codec === "PCMU" ? 0xff : 0xd5;
}

function buildDecodeTable(decode: (byte: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = decode(byte);
  return table;
}

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let index = 0; index < 65536; index++) table[index] = encode((index << 16) >> 16);
  return table;
}

function encodeUlawSample(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(sign ? -sample : sample, ulawClip) + ulawBias;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = sign | (exponent << 4) | mantissa;
  return ~magnitude & 0xff;
}

function decodeUlawSample(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ulawBias) << exponent) - ulawBias;
  return u & 0x80 ? -magnitude : magnitude;
}

function encodeAlawSample(sample: number): number {
  let value = sample >> 3;
  let mask = 0xd5;
  if (value < 0) {
    mask = 0x55;
    value = -value - 1;
  }
  const segment = alawSegmentEnds.findIndex((end) => value <= end);
  if (segment < 0) return 0x7f ^ mask;
  const quantized = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | quantized) ^ mask;
}

function decodeAlawSample(byte: number): number {
  const a = byte ^ 0x55;
  let magnitude = (a & 0x0f) << 4;
  const segment = (a & 0x70) >> 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}
