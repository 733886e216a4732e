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
  /** Time spent inside `onTick` (mixing and sending), in total and at most once: the clock's own cost, apart from scheduling. */
  busyMs: number;
  maxTickMs: number;
}

/** A running clock. */
export interface FrameClock {
  /** Since the start. */
  stats: FrameClockStats;
  /** Returns the figures since the previous call (or the start) and starts a new window. */
  takeWindow(): FrameClockStats;
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
  const stats: FrameClockStats = { ticks: 0, lateTicks: 0, maxLateMs: 0, skippedTicks: 0, busyMs: 0, maxTickMs: 0 };
  let window: FrameClockStats = { ...stats };
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
    const missed = late > 5 * interval ? Math.floor(late / interval) : 0;
    for (const figures of [stats, window]) {
      figures.ticks++;
      if (late > threshold) figures.lateTicks++;
      if (late > figures.maxLateMs) figures.maxLateMs = late;
      figures.skippedTicks += missed;
    }
    next += missed * interval;
    const started = clock.now();
    try {
      onTick();
    } finally {
      const spent = clock.now() - started;
      for (const figures of [stats, window]) {
        figures.busyMs += spent;
        if (spent > figures.maxTickMs) figures.maxTickMs = spent;
      }
      next += interval;
      schedule();
    }
  };
  schedule();
  return {
    stats,
    takeWindow() {
      const taken = window;
      window = { ticks: 0, lateTicks: 0, maxLateMs: 0, skippedTicks: 0, busyMs: 0, maxTickMs: 0 };
      return taken;
    },
    stop() {
      running = false;
      clock.clearTimeout(handle);
    },
  };
}
