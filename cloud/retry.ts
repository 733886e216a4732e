import { CloudError, type Clock } from "./ports.ts";

const throttlingCodes = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "SlowDown",
  "ServiceUnavailable",
  "InternalError",
  "InternalFailure",
  "Unavailable",
]);

/** How long and on what to retry one call. */
export interface RetryOptions {
  clock: Clock;
  /** Total time allowed for all attempts, in ms. @default 300_000 */
  budgetMs?: number;
  /** Extra error codes to retry (eventual consistency, e.g. `InvalidInstanceID.NotFound`). */
  retryCodes?: readonly string[];
  /** The longest wait between two attempts, in ms. @default 20_000 */
  maxBackoffMs?: number;
  /** Other errors to retry, by more than their code (e.g. one message of a code that is otherwise permanent). */
  retryIf?: (error: CloudError) => boolean;
  signal?: AbortSignal | undefined;
}

// Tells whether an error is throttling or a transient server fault.
export function isThrottling(error: unknown): boolean {
  return error instanceof CloudError && throttlingCodes.has(error.code);
}

/** The parts of `RetryOptions` one call may set on top of its run's bound retry. */
export type RetryOverrides = Omit<RetryOptions, "clock" | "signal">;

/** A retry bound to one run's clock and abort signal: each call names only what differs from the run's defaults. */
export type WithRetry = <T>(fn: () => Promise<T>, overrides?: RetryOverrides) => Promise<T>;

// Binds the retry once where a run's clock and abort signal come together, so that call sites pass neither.
export function bindRetry(run: RetryOptions): WithRetry {
  return (fn, overrides) => callWithRetry(fn, { ...run, ...overrides });
}

// A run's retry with other defaults for a group of calls (pre-flight's shorter budget, cleanup's longer one); each call may
// still override them.
export function withRetryDefaults(withRetry: WithRetry, defaults: RetryOverrides): WithRetry {
  return (fn, overrides) => withRetry(fn, { ...defaults, ...overrides });
}

// Calls `fn` until it succeeds, retrying throttling and the given codes with capped exponential backoff
// inside a time budget (not an attempt count: a throttling burst may last minutes).
async function callWithRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { clock, budgetMs = 300_000, retryCodes = [], retryIf, maxBackoffMs = 20_000, signal } = options;
  const deadline = clock.now() + budgetMs;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      const retryable = isThrottling(error) || (error instanceof CloudError && (retryCodes.includes(error.code) || Boolean(retryIf?.(error))));
      const backoff = Math.min(maxBackoffMs, 500 * 2 ** attempt);
      if (!retryable || clock.now() + backoff > deadline) throw error;
      await clock.sleep(backoff, signal);
    }
  }
}
