import type { Recipe } from "../../dsl/resolve.ts";
import type { GeneratedFile, GeneratedFrom } from "../generated-file.ts";

// PLACEHOLDER (being written): returns etc/nftables.conf.
export function compileNftablesRuleset(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  void recipe;
  void from;
  return [];
}
