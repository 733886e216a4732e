import type { Clock } from "../../../cloud/ports.ts";

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** A clock whose time only moves when every flow is asleep: hour-long waits run in milliseconds. */
export interface VirtualClock extends Clock {
  /** Virtual milliseconds since the clock was made. */
  elapsed(): number;
  /** Moves time forward now (for SDK waiters, which sleep on the real clock). */
  advance(ms: number): void;
}

// A virtual clock that jumps to the earliest pending sleep once the event loop has nothing else to do
// (checked with setImmediate, so every pending promise has settled first). Fakes must answer without real I/O.
// `pacingMs` makes each jump also take that much real time (a child process under test can then be interrupted mid-run).
export function createVirtualClock(start = Date.UTC(2026, 0, 15, 9, 0, 0), pacingMs = 0): VirtualClock {
  let now = start;
  let seq = 0;
  let scheduled = false;
  const timers: Timer[] = [];
  const tick = (idleRounds: number) => {
    if (idleRounds < 2) return void setImmediate(() => tick(idleRounds + 1));
    scheduled = false;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (!next) return;
    now = Math.max(now, next.at);
    next.resolve();
    schedule();
  };
  const schedule = () => {
    if (scheduled || timers.length === 0) return;
    scheduled = true;
    if (pacingMs > 0) setTimeout(() => tick(0), pacingMs);
    else setImmediate(() => tick(0));
  };
  return {
    now: () => now,
    elapsed: () => now - start,
    advance: (ms) => void (now += ms),
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        signal?.throwIfAborted();
        const timer: Timer = {
          at: now + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        timers.push(timer);
        schedule();
      });
    },
  };
}
