// Mix-minus for one 20 ms frame: every listener hears the sum of all speakers except itself. Pure arithmetic.

// Adds the frames of every speaker into `sum` (cleared first).
export function sumFrames(frames: readonly Int16Array[], sum: Int32Array): void {
  sum.fill(0);
  for (const frame of frames) {
    for (let i = 0; i < sum.length; i++) sum[i]! += frame[i]!;
  }
}

// Writes `sum - own` clipped to 16 bits into `out`; with no `own` frame, just the clipped sum.
export function subtractAndClip(sum: Int32Array, own: Int16Array | undefined, out: Int16Array): void {
  for (let i = 0; i < sum.length; i++) {
    const value = own ? sum[i]! - own[i]! : sum[i]!;
    out[i] = value > 32767 ? 32767 : value < -32768 ? -32768 : value;
  }
}
