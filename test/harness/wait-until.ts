import { readFileSync } from "node:fs";
import { sleep } from "./start-process.ts";

/** How long and how often `waitUntil` polls, and what to call the condition in its error. */
export interface WaitOptions {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Stops early with an error when this returns a reason (e.g. the process being waited for died). */
  failWhen?: () => string | undefined;
}

// Polls `condition` until it returns a value other than undefined/false and returns it; throws after
// `timeoutMs` naming `what`. Tests wait for readiness with this instead of fixed sleeps.
export async function waitUntil<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const failure = options.failWhen?.();
    if (failure) throw new Error(`${options.what}: ${failure}`);
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${options.what}: not within ${options.timeoutMs ?? 10_000} ms`);
    await sleep(options.intervalMs ?? 20);
  }
}

// True when a UDP socket is bound to `address`:`port` on this machine (read from /proc/net/udp).
export function isUdpPortBound(address: string, port: number): boolean {
  const hexAddress = address
    .split(".")
    .map((octet) => Number(octet).toString(16).toUpperCase().padStart(2, "0"))
    .reverse()
    .join("");
  const local = `${hexAddress}:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const wildcard = `00000000:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync("/proc/net/udp", "utf8")
    .split("\n")
    .some((line) => {
      const field = line.trim().split(/\s+/)[1];
      return field === local || field === wildcard;
    });
}

// Polls until `condition` holds or `timeoutMs` pass, whichever comes first, and returns whether it held;
// the caller asserts afterwards with its own message (counts, logs), so a slow machine only waits longer.
export async function settleWithin(timeoutMs: number, condition: () => boolean | Promise<boolean>): Promise<boolean> {
  return waitUntil(async () => (await condition()) || undefined, { what: "settle", timeoutMs }).catch(() => false);
}
