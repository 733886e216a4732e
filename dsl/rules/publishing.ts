import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";

// AWS refuses to make an AMI with encrypted snapshots public.
export function checkPublishing(recipe: Recipe): Problem[] {
  if (recipe.publish.visibility === "public" && recipe.image.disk.encrypted) {
    return [problemAt(["image", "disk", "encrypted"], 'a public AMI cannot have encrypted snapshots: set encrypted: false or publish to accounts ({ accounts: [...] })')];
  }
  return [];
}
