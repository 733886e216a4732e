// SIP transaction bookkeeping over UDP (RFC 3261 17): the last response of each server transaction, resent when a
// request is retransmitted, and the T1-doubling retransmission of what the service sends until it is acknowledged.
import type { SipRequest } from "./sip-parse.ts";

/** Timer functions; tests pass their own. */
export interface TimerPort {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** RFC 3261 timer values for UDP. */
export const sipTimers = { t1: 500, t2: 4000, transactionLifetime: 32_000 };

/** A server transaction: what to resend when its request comes again. */
export interface ServerTransaction {
  key: string;
  lastResponse: string | undefined;
  stopRetransmission: (() => void) | undefined;
  expiry: unknown;
}

const maxTransactions = 20_000;

/** Server transactions by key, each forgotten after the transaction lifetime. */
export class ServerTransactions {
  readonly #entries = new Map<string, ServerTransaction>();
  readonly #timers: TimerPort;

  constructor(timers: TimerPort) {
    this.#timers = timers;
  }

  // The transaction a request belongs to (an ACK to a non-2xx final response matches its INVITE's).
  find(request: SipRequest): ServerTransaction | undefined {
    return this.#entries.get(transactionKey(request));
  }

  // Starts a transaction; beyond the table limit it is not remembered (retransmissions then run again, harmlessly).
  begin(request: SipRequest): ServerTransaction {
    const transaction: ServerTransaction = { key: transactionKey(request), lastResponse: undefined, stopRetransmission: undefined, expiry: undefined };
    if (this.#entries.size < maxTransactions) {
      this.#entries.set(transaction.key, transaction);
      transaction.expiry = this.#timers.setTimeout(() => this.forget(transaction), sipTimers.transactionLifetime);
    }
    return transaction;
  }

  // Drops a transaction and stops anything it retransmits.
  forget(transaction: ServerTransaction): void {
    transaction.stopRetransmission?.();
    this.#timers.clearTimeout(transaction.expiry);
    if (this.#entries.get(transaction.key) === transaction) this.#entries.delete(transaction.key);
  }

  // Stops every retransmission (service shutdown).
  clear(): void {
    for (const transaction of [...this.#entries.values()]) this.forget(transaction);
  }
}

// Branch, sent-by and method (ACK counted as INVITE) identify a server transaction (RFC 3261 17.2.3).
export function transactionKey(request: SipRequest): string {
  const method = request.method === "ACK" ? "INVITE" : request.method;
  return `${request.branch}\n${request.topVia.sentBy}\n${method}`;
}

// Resends `send` at T1, 2·T1, 4·T1 … (capped at T2) until stopped; `onGiveUp` runs after 64·T1 without a stop.
export function retransmit(send: () => void, timers: TimerPort, onGiveUp: () => void = () => {}): () => void {
  const lifetime = 64 * sipTimers.t1;
  let interval = sipTimers.t1;
  let wait = interval;
  let elapsed = 0;
  let handle: unknown;
  let stopped = false;
  const again = () => {
    if (stopped) return;
    elapsed += wait;
    if (elapsed >= lifetime) {
      stopped = true;
      onGiveUp();
      return;
    }
    send();
    interval = Math.min(interval * 2, sipTimers.t2);
    // The last wait is cut short so that giving up happens at 64·T1 exactly.
    wait = Math.min(interval, lifetime - elapsed);
    handle = timers.setTimeout(again, wait);
  };
  handle = timers.setTimeout(again, wait);
  return () => {
    stopped = true;
    timers.clearTimeout(handle);
  };
}
