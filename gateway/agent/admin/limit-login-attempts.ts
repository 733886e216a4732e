// Per-address login rate limit: after `maxFailures` wrong logins within `windowMs`, that address gets
// 429 for `lockMs`. Pure state + an injected clock, so tests run it without waiting.

/** Tuning; the defaults allow a typo or two and make guessing hopeless. */
export interface LoginLimitOptions {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  /** Addresses remembered at most (oldest forgotten first), so a flood cannot exhaust memory. */
  maxTracked: number;
  now: () => number;
}

/** The limiter's interface. */
export interface LoginLimiter {
  /** Milliseconds until the address may try again; 0 when it may try now. */
  retryAfter(address: string): number;
  recordFailure(address: string): void;
  recordSuccess(address: string): void;
}

// Creates a limiter with fixed options.
export function createLoginLimiter(options: Partial<LoginLimitOptions> = {}): LoginLimiter {
  const { maxFailures, windowMs, lockMs, maxTracked, now } = {
    maxFailures: 5,
    windowMs: 60_000,
    lockMs: 300_000,
    maxTracked: 10_000,
    now: Date.now,
    ...options,
  };
  const failures = new Map<string, { times: number[]; lockedUntil: number }>();
  return {
    retryAfter(address) {
      const entry = failures.get(address);
      return entry ? Math.max(0, entry.lockedUntil - now()) : 0;
    },
    recordFailure(address) {
      const at = now();
      const entry = failures.get(address) ?? { times: [], lockedUntil: 0 };
      failures.delete(address);
      entry.times = [...entry.times.filter((t) => at - t < windowMs), at];
      if (entry.times.length >= maxFailures) {
        entry.lockedUntil = at + lockMs;
        entry.times = [];
      }
      failures.set(address, entry);
      if (failures.size > maxTracked) failures.delete(failures.keys().next().value as string);
    },
    recordSuccess(address) {
      failures.delete(address);
    },
  };
}
