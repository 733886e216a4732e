// The one 20 ms timer that drives every room and music leg. Targets absolute times (start + n × 20 ms), so
// lateness never accumulates; after a long stall it skips ahead instead of bursting missed frames.

/** The clock and timer functions it runs on; tests pass their own. */
export interface ClockPort {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** How punctual the ticks were. */
export interface FrameClockStats {
  ticks: number;
  /** Ticks more than `lateThresholdMs` after their target time. */
  lateTicks: number;
  maxLateMs: number;
  skippedTicks: number;
}

/** A running clock. */
export interface FrameClock {
  stats: FrameClockStats;
  stop(): void;
}

/** Real time from the performance clock. */
export const systemClock: ClockPort = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

// Calls `onTick` every `intervalMs` on average, measuring how late each call was.
export function startFrameClock(onTick: () => void, options: { intervalMs?: number; lateThresholdMs?: number; clock?: ClockPort } = {}): FrameClock {
  const interval = options.intervalMs ?? 20;
  const threshold = options.lateThresholdMs ?? 5;
  const clock = options.clock ?? systemClock;
  const stats: FrameClockStats = { ticks: 0, lateTicks: 0, maxLateMs: 0, skippedTicks: 0 };
  let next = clock.now() + interval;
  let handle: unknown;
  let running = true;
  const schedule = () => {
    // Node's timers fire up to ~1 ms after the delay: aim 1 ms early; an early tick is harmless, the target stays absolute.
    handle = clock.setTimeout(tick, Math.max(0, Math.floor(next - clock.now()) - 1));
  };
  const tick = () => {
    if (!running) return;
    const late = clock.now() - next;
    stats.ticks++;
    if (late > threshold) stats.lateTicks++;
    if (late > stats.maxLateMs) stats.maxLateMs = late;
    if (late > 5 * interval) {
      const missed = Math.floor(late / interval);
      stats.skippedTicks += missed;
      next += missed * interval;
    }
    try {
      onTick();
    } finally {
      next += interval;
      schedule();
    }
  };
  schedule();
  return {
    stats,
    stop() {
      running = false;
      clock.clearTimeout(handle);
    },
  };
}
