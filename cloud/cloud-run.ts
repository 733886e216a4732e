// One run against the cloud (an AWS build, a publish, a sweep, a retire): its ports, its abort signal, its retry policy
// bound once to both, and where its progress goes. Made once where the run starts and passed down, so every call of the
// run retries and stops the same way.
import type { ProgressListener } from "../io/steps.ts";
import type { CloudPorts } from "./ports.ts";
import { bindRetry, type WithRetry } from "./retry.ts";

/** What every stage of one cloud run shares. */
export interface CloudRun {
  ports: CloudPorts;
  /** Aborted on Ctrl-C: waits and retries stop, cleanup still runs. */
  signal?: AbortSignal | undefined;
  /** Retries a call of the run (throttling, and the codes a call adds); stops when `signal` aborts. */
  withRetry: WithRetry;
  /** Retries a cleanup call: bound to the clock only, so that removing temporary resources finishes after an abort. */
  withRetryToEnd: WithRetry;
  /** Receives the run's step events. */
  onProgress?: ProgressListener | undefined;
}

// Starts a run: binds its retry to the ports' clock and the signal, once.
export function startCloudRun(ports: CloudPorts, options: { signal?: AbortSignal | undefined; onProgress?: ProgressListener | undefined } = {}): CloudRun {
  return {
    ports,
    signal: options.signal,
    withRetry: bindRetry({ clock: ports.clock, signal: options.signal }),
    withRetryToEnd: bindRetry({ clock: ports.clock }),
    onProgress: options.onProgress,
  };
}
