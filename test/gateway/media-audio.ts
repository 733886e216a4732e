// Test helpers for audio: tone frames and a Goertzel filter on decoded samples.

// Fills 160 samples of a sine at `frequency`, continuing from `phase` (returned for the next frame).
export function writeToneFrame(out: Int16Array, frequency: number, phase: number, amplitude = 8000): number {
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(amplitude * Math.sin(phase));
    phase += (2 * Math.PI * frequency) / 8000;
  }
  return phase % (2 * Math.PI);
}

// Share of the signal's energy at `frequency` (0..1): a pure tone gives ~1, a tone absent from it ~0.
export function measureToneShare(samples: Int16Array, frequency: number): number {
  const n = samples.length;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / 8000);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[i]!;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * power) / (n * energy);
}

// Root-mean-square level of the samples.
export function measureRms(samples: Int16Array): number {
  let energy = 0;
  for (const x of samples) energy += x * x;
  return samples.length === 0 ? 0 : Math.sqrt(energy / samples.length);
}
