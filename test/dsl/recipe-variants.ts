import { parseRecipe } from "../../dsl/parse.ts";
import gateway from "../../recipes/gateway.ts";

/** The default recipe as plain, freely editable data. */
export type MutableRecipe = { gateway: Record<string, any>; image: Record<string, any>; publish: Record<string, any>; [key: string]: any };

// A fresh copy of the default recipe for a test to change.
export const copyDefaultRecipe = (): MutableRecipe => structuredClone(gateway) as unknown as MutableRecipe;

// The problems parseRecipe finds, as `path: message` lines (empty when the recipe is valid).
export function listProblems(value: unknown): string[] {
  const result = parseRecipe(value);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}
