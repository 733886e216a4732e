import type { Recipe } from "../resolve.ts";
import type { Problem } from "../problems.ts";
import { checkPortOverlaps } from "./ports.ts";
import { checkMeasuredCapacity, checkRtpCapacity } from "./capacity.ts";
import { checkDialPlan } from "./dial-plan.ts";
import { checkUpstreams } from "./upstreams.ts";
import { checkPublishing } from "./publishing.ts";
import { checkInstanceArchitecture } from "./instance-type.ts";
import { checkRegions } from "./regions.ts";
import { checkImageArch } from "./image-arch.ts";

/** A cross-field rule: reads the resolved recipe, returns what it finds. */
export type RecipeRule = (recipe: Recipe) => Problem[];

const rules: readonly RecipeRule[] = [
  checkPortOverlaps,
  checkRtpCapacity,
  checkUpstreams,
  checkDialPlan,
  checkPublishing,
  checkInstanceArchitecture,
  checkMeasuredCapacity,
  checkRegions,
  checkImageArch,
];

// Runs every rule; all problems are reported at once.
export function checkRules(recipe: Recipe): Problem[] {
  return rules.flatMap((rule) => rule(recipe));
}
