import { basename } from "node:path";
import type { Recipe } from "../dsl/resolve.ts";
import { bundleAgent } from "../gateway/agent/bundle/bundle-agent.ts";
import type { GeneratedFrom } from "../gateway/generated-file.ts";
import { bundleMediaService } from "../gateway/media/bundle-media-service.ts";
import { compileBundle, type Bundle } from "./bundle/compile-bundle.ts";

// The whole provisioning bundle for a recipe: compiled configs and provisioning script plus the
// programs that run on the appliance (first-boot/admin agent, conference and music service), built
// with esbuild for Debian 13's own nodejs (20).
export async function assembleBundle(recipe: Recipe, recipePath: string): Promise<Bundle> {
  const from: GeneratedFrom = { recipeFile: basename(recipePath), recipeName: recipe.name };
  const [agent, media] = await Promise.all([bundleAgent(recipe, { from }), bundleMediaService(recipe.gateway.media, from)]);
  return compileBundle(recipe, from, [...agent, ...media]);
}
