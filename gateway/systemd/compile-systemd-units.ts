import type { Recipe } from "../../dsl/resolve.ts";
import type { GeneratedFile, GeneratedFrom } from "../generated-file.ts";

// PLACEHOLDER (being written): returns etc/systemd/system/*.service.
export function compileSystemdUnits(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  void recipe;
  void from;
  return [];
}
