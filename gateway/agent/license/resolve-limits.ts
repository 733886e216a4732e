import { demoMaxCallSeconds } from "../contract.ts";
import type { LicenseVerdict } from "./license-document.ts";

/** The limits the gateway runs with until the next boot. */
export interface EffectiveLimits {
  mode: "licensed" | "demo";
  /** Seconds; the recipe's rule and the license (or demo mode) combined, the smaller wins. Undefined = unlimited. */
  maxCallSeconds: number | undefined;
  /** Concurrent calls: the recipe's capacity, lowered by the license. */
  maxParallelCalls: number;
  /** One line for the admin UI and the boot log. */
  summary: string;
}

/** The recipe values the limits start from. */
export interface RecipeLimits {
  maxCallSeconds: number | undefined;
  parallelCalls: number;
}

// Combines the recipe's limits with the license verdict: a valid license may only lower the recipe's
// limits, and anything but a valid license means demo mode (calls end after 90 s).
export function resolveLimits(recipe: RecipeLimits, verdict: LicenseVerdict): EffectiveLimits {
  if (verdict.status !== "valid") {
    const reason = verdict.status === "expired" ? `license expired on ${verdict.terms.expires}` : verdict.reason;
    return {
      mode: "demo",
      maxCallSeconds: smaller(recipe.maxCallSeconds, demoMaxCallSeconds),
      maxParallelCalls: recipe.parallelCalls,
      summary: `demo mode (${reason}): calls end after ${smaller(recipe.maxCallSeconds, demoMaxCallSeconds)} s`,
    };
  }
  const { terms } = verdict;
  const maxCallSeconds = smaller(recipe.maxCallSeconds, terms.maxCallSeconds ?? undefined);
  const maxParallelCalls = Math.min(recipe.parallelCalls, terms.maxParallelCalls ?? Infinity);
  return {
    mode: "licensed",
    maxCallSeconds,
    maxParallelCalls,
    summary: `licensed to ${terms.licensee} until ${terms.expires}: ${maxCallSeconds === undefined ? "no call duration limit" : `calls end after ${maxCallSeconds} s`}, up to ${maxParallelCalls} parallel calls`,
  };
}

function smaller(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
