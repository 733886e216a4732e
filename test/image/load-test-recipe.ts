// Test helper: the default recipe, or a variant of it, parsed and resolved.
import { parseRecipe } from "../../dsl/parse.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import gateway from "../../recipes/gateway.ts";
import type { GeneratedFrom } from "../../gateway/generated-file.ts";

export const from: GeneratedFrom = { recipeFile: "gateway.ts", recipeName: "rtcgw" };

// The default recipe with `change` applied to a deep copy of its input.
export function loadRecipe(change: (input: any) => void = () => {}): Recipe {
  const input = structuredClone(gateway) as any;
  change(input);
  const result = parseRecipe(input);
  if (!result.ok) throw new Error(`test recipe is invalid: ${JSON.stringify(result.problems)}`);
  return result.recipe;
}
