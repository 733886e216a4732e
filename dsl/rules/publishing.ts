import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";

/** AWS deprecates a public AMI at most 2 years (730 days) after its creation, any AMI at most 10 years ahead. */
const publicDeprecationLimitSeconds = 730 * 86400;
const deprecationLimitSeconds = 3650 * 86400;

// AWS refuses to make an AMI with encrypted snapshots public, caps a public AMI's deprecation at 2 years and any AMI's at 10.
export function checkPublishing(recipe: Recipe): Problem[] {
  const problems: Problem[] = [];
  if (recipe.publish.visibility === "public" && recipe.image.disk.encrypted) {
    problems.push(
      problemAt(
        ["image", "disk", "encrypted"],
        "a public AMI cannot have encrypted snapshots: set encrypted: false or publish to accounts ({ accounts: [...] })",
      ),
    );
  }
  if (recipe.publish.visibility === "public" && recipe.publish.deprecateAfter > publicDeprecationLimitSeconds) {
    const days = Math.round(recipe.publish.deprecateAfter / 86400);
    problems.push(
      problemAt(
        ["publish", "deprecateAfter"],
        `a public AMI is deprecated at most 2 years (730 days) after its creation, ${days} days is longer: use "730d" or less, or publish to accounts ({ accounts: [...] })`,
      ),
    );
  }
  if (recipe.publish.deprecateAfter > deprecationLimitSeconds) {
    problems.push(
      problemAt(
        ["publish", "deprecateAfter"],
        `EC2 accepts a deprecation date at most 10 years ahead, ${Math.round(recipe.publish.deprecateAfter / 86400)} days is longer: use "3650d" or less`,
      ),
    );
  }
  return problems;
}
