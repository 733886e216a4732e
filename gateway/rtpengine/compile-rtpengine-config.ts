import type { Recipe } from "../../dsl/resolve.ts";
import type { GeneratedFile, GeneratedFrom } from "../generated-file.ts";

// PLACEHOLDER (being written): returns etc/rtpengine/rtpengine.conf.
export function compileRtpengineConfig(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  void recipe;
  void from;
  return [];
}
