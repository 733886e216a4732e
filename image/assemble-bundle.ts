import { basename } from "node:path";
import type { Recipe } from "../dsl/resolve.ts";
import type { GeneratedFrom } from "../gateway/generated-file.ts";
import { compileBundle, type Bundle } from "./bundle/compile-bundle.ts";

// The whole provisioning bundle for a recipe: compiled configs and provisioning script plus the
// built programs that run on the appliance.
export async function assembleBundle(recipe: Recipe, recipePath: string): Promise<Bundle> {
  const from: GeneratedFrom = { recipeFile: basename(recipePath), recipeName: recipe.name };
  return compileBundle(recipe, from, []);
}
