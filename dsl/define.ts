import type { RecipeInput } from "./types.ts";

// Identity helper: gives the recipe its types in the editor. The `const` type parameter captures the
// upstream names, so a dial route naming an unknown upstream is a type error ("Did you mean …").
export function defineRecipe<const Upstream extends string>(recipe: RecipeInput<Upstream>): RecipeInput<Upstream> {
  return recipe;
}
