// The `music` tune: a short melody synthesised here (no recordings), looped, pre-encoded for both G.711 laws.
import { encodeG711, type G711Codec } from "../audio/g711.ts";
import { frameSamples } from "../audio/media-leg.ts";

const sampleRate = 8000;
const beatSeconds = 0.3;
// Scale degrees (semitones above A3, 220 Hz) and lengths in beats; 0-length rests are `null`.
const melody: Array<[number | null, number]> = [
  [3, 1],
  [7, 1],
  [10, 1],
  [15, 2],
  [14, 1],
  [10, 1],
  [12, 2],
  [null, 1],
  [8, 1],
  [12, 1],
  [15, 1],
  [19, 2],
  [17, 1],
  [15, 1],
  [14, 3],
  [null, 1],
  [10, 1],
  [14, 1],
  [17, 1],
  [22, 2],
  [20, 1],
  [19, 1],
  [17, 2],
  [15, 1],
  [14, 1],
  [12, 1],
  [10, 1],
  [7, 1],
  [10, 2],
  [3, 3],
  [null, 1],
];

// The tune as 16-bit samples at 8 kHz, a whole number of 20 ms frames long.
export function synthesiseTune(): Int16Array {
  const beats = melody.reduce((total, [, length]) => total + length, 0);
  const total = Math.ceil((beats * beatSeconds * sampleRate) / frameSamples) * frameSamples;
  const samples = new Int16Array(total);
  let start = 0;
  for (const [degree, length] of melody) {
    const count = Math.round(length * beatSeconds * sampleRate);
    if (degree !== null) writeNote(samples, start, count, 220 * 2 ** (degree / 12));
    start += count;
  }
  return samples;
}

// The tune cut into encoded 20 ms frames, for one codec.
export function encodeTuneFrames(tune: Int16Array, codec: G711Codec): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset + frameSamples <= tune.length; offset += frameSamples) {
    const frame = new Uint8Array(frameSamples);
    encodeG711(codec, tune.subarray(offset, offset + frameSamples), frame);
    frames.push(frame);
  }
  return frames;
}

// A plucked-sounding note: fundamental plus two soft harmonics under an attack/decay envelope.
function writeNote(samples: Int16Array, start: number, count: number, frequency: number): void {
  const attack = Math.round(0.01 * sampleRate);
  for (let i = 0; i < count && start + i < samples.length; i++) {
    const t = i / sampleRate;
    const envelope = Math.min(1, i / attack) * Math.exp(-3 * (i / count)) * Math.min(1, (count - i) / attack);
    const phase = 2 * Math.PI * frequency * t;
    const value = Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.1 * Math.sin(3 * phase);
    samples[start + i] = Math.round(9000 * envelope * value);
  }
}
