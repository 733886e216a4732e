import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";

/** Whether an EC2 instance type runs arm64 (Graviton: a1, and families whose generation digit is followed by `g`, e.g. t4g, c7gn, x2gd, im4gn). */
export function isArmInstanceType(instanceType: string): boolean {
  const family = instanceType.split(".")[0]!;
  return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family);
}

// The closest type of the other architecture in the same size, when that size exists there (Graviton ⇄ Intel, current generation).
const armFor: Record<string, { family: string; sizes: string[] }> = {
  t: { family: "t4g", sizes: ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"] },
  ...Object.fromEntries(
    ["m", "c", "r"].map((k) => [
      k,
      { family: `${k}7g`, sizes: ["medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "metal"] },
    ]),
  ),
};
const x86For: Record<string, { family: string; sizes: string[] }> = {
  t: { family: "t3", sizes: ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"] },
  ...Object.fromEntries(
    ["m", "c", "r"].map((k) => [
      k,
      { family: `${k}7i`, sizes: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"] },
    ]),
  ),
};

function suggest(instanceType: string, toArm: boolean): string | undefined {
  const [family, size] = instanceType.split(".") as [string, string | undefined];
  const target = (toArm ? armFor : x86For)[family.replace(/\d.*$/, "")];
  return target && size && target.sizes.includes(size) ? `${target.family}.${size}` : undefined;
}

// The builder's instance type (also the templates' default) must run the image's architecture: EC2 refuses to launch an
// arm64 image on an x86_64 type and the other way round, and would only say so after the build has started.
export function checkInstanceArchitecture(recipe: Recipe): Problem[] {
  const { arch, builder } = recipe.image;
  const type = builder.instanceType;
  const arm = isArmInstanceType(type);
  if (arm === (arch === "arm64")) return [];
  const typeArch = arm ? "arm64 (Graviton)" : "x86_64 (amd64)";
  const alternative = suggest(type, !arm);
  const fix = alternative ? `use "${alternative}"` : `use ${arm ? 'an x86_64 type such as "t3.small"' : 'a Graviton type such as "t4g.small"'}`;
  return [
    problemAt(
      ["image", "builder", "instanceType"],
      `${type} is an ${typeArch} instance type but image.arch is "${arch}": ${fix}, or set image.arch to "${arm ? "arm64" : "amd64"}"`,
    ),
  ];
}
