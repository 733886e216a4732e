import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "./ports.ts";

// The wall clock, for production runs.
export function createRealClock(): Clock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
  };
}
