import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";

// Only amd64 images are built and boot-tested so far: an arm64 recipe would ship an image nobody has booted.
export function checkImageArch(recipe: Recipe): Problem[] {
  if (recipe.image.arch === "amd64") return [];
  return [problemAt(["image", "arch"], `${recipe.image.arch} images are not built yet (the bootable disk and its boot test are amd64 only): use "amd64"`)];
}
