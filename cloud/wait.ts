import type { Clock } from "./ports.ts";

/** A wait that ran out of its time budget. */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

/** How long to wait and how often to look. */
export interface WaitOptions {
  clock: Clock;
  what: string;
  budgetMs: number;
  intervalMs: number;
  signal?: AbortSignal | undefined;
}

// Polls `check` until it returns a value (not undefined) or the time budget runs out.
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const { clock, what, budgetMs, intervalMs, signal } = options;
  const started = clock.now();
  for (;;) {
    signal?.throwIfAborted();
    const value = await check();
    if (value !== undefined) return value;
    const elapsed = clock.now() - started;
    if (elapsed >= budgetMs)
      throw new WaitTimeoutError(`gave up waiting for ${what} after ${Math.round(elapsed / 1000)} s (budget ${Math.round(budgetMs / 1000)} s)`);
    await clock.sleep(Math.min(intervalMs, budgetMs - elapsed), signal);
  }
}
