import { createHash, timingSafeEqual } from "node:crypto";
import { verifyAdminPassword } from "../firstboot/admin-password.ts";
import type { LoginLimiter } from "./limit-login-attempts.ts";

/** The outcome of one request's credentials. */
export type LoginOutcome = { kind: "ok" } | { kind: "missing" } | { kind: "denied" } | { kind: "limited"; retryAfterSeconds: number };

/** What a login is checked against. */
export interface AdminLoginOptions {
  user: string;
  /** The stored scrypt hash (read when needed, so a new boot's hash is picked up). */
  readPasswordHash: () => Promise<string>;
  limiter: LoginLimiter;
  now?: () => number;
}

// Checks HTTP Basic credentials. A successful header is remembered for 5 minutes (by its sha256) so
// browsing does not pay scrypt on every request; failures count toward the address's rate limit.
export function createAdminLoginCheck(options: AdminLoginOptions): (authorization: string | undefined, address: string) => Promise<LoginOutcome> {
  const now = options.now ?? Date.now;
  const remembered = new Map<string, number>();
  // Each check takes 32 MiB for ~0.1 s: at most 2 run at once and 16 wait, the rest are told to retry.
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (authorization, address) => {
    const wait = options.limiter.retryAfter(address);
    if (wait > 0) return { kind: "limited", retryAfterSeconds: Math.ceil(wait / 1000) };
    const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/.exec(authorization ?? "");
    if (!match) return { kind: "missing" };
    const key = createHash("sha256").update(match[1]!).digest("hex");
    if ((remembered.get(key) ?? 0) > now()) return { kind: "ok" };
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const [user, password] = colon < 0 ? [decoded, ""] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (running < 2) running++;
    else if (waiting.length < 16) await new Promise<void>((resolve) => waiting.push(resolve));
    else return { kind: "limited", retryAfterSeconds: 1 };
    let passwordMatches: boolean;
    try {
      // The address may have been locked out while this request waited: it gets no password check then.
      const waited = options.limiter.retryAfter(address);
      if (waited > 0) return { kind: "limited", retryAfterSeconds: Math.ceil(waited / 1000) };
      passwordMatches = await verifyAdminPassword(password, await options.readPasswordHash().catch(() => ""));
    } finally {
      // The slot passes straight to the next waiter, so never more than 2 run. A failure is recorded
      // below before that waiter resumes (it resumes in a later microtask), so it sees the lockout.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
    const userMatches = sameText(user, options.user);
    if (!userMatches || !passwordMatches) {
      options.limiter.recordFailure(address);
      return { kind: "denied" };
    }
    options.limiter.recordSuccess(address);
    if (remembered.size >= 100) remembered.clear();
    remembered.set(key, now() + 300_000);
    return { kind: "ok" };
  };
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest()];
  return timingSafeEqual(x, y);
}
