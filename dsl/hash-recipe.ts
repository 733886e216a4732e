import { createHash } from "node:crypto";
import type { Recipe } from "./resolve.ts";

// sha256 over the recipe as canonical JSON (keys sorted, undefined dropped), so key order does not change it:
// names the configuration in the admin UI and keys the local image build.
export function hashRecipe(recipe: Recipe): string {
  return createHash("sha256").update(canonicalJson(recipe)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
