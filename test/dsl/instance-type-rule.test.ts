// `rtcgw check` refuses a builder instance type that cannot run the image's architecture, with the closest type that can.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { formatProblem } from "../../dsl/problems.ts";
import { checkInstanceArchitecture, isArmInstanceType } from "../../dsl/rules/instance-type.ts";
import { makeRecipe } from "../aws/fixtures.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

test("an arm64 image with a t3 builder is refused at the instance type, with the Graviton type of the same size", async () => {
  const result = await checkRecipeFile(join(root, "test/dsl/fixtures/arm-instance-type.ts"), { typecheck: true, cwd: root });
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.problems.map(formatProblem), [
    // arm64 itself is refused until it is boot-tested (dsl/rules/image-arch.ts); the instance type is reported as well.
    'test/dsl/fixtures/arm-instance-type.ts:28:5 error image.arch: arm64 images are not built yet (the bootable disk and its boot test are amd64 only): use "amd64"',
    'test/dsl/fixtures/arm-instance-type.ts:31:16 error image.builder.instanceType: t3.small is an x86_64 (amd64) instance type but image.arch is "arm64": use "t4g.small", or set image.arch to "amd64"',
  ]);
});

test("an amd64 image with a Graviton builder is refused too; a matching pair passes; types without a counterpart get a generic hint", () => {
  const base = makeRecipe();
  const messages = ({ arch, builder }: { arch: "amd64" | "arm64"; builder: { instanceType: string } }) =>
    checkInstanceArchitecture({ ...base, image: { ...base.image, arch, builder: { ...base.image.builder, ...builder } } }).map(
      (p) => `${p.path}: ${p.message}`,
    );
  assert.deepEqual(messages({ arch: "amd64", builder: { instanceType: "c7g.large" } }), [
    'image.builder.instanceType: c7g.large is an arm64 (Graviton) instance type but image.arch is "amd64": use "c7i.large", or set image.arch to "arm64"',
  ]);
  assert.deepEqual(messages({ arch: "arm64", builder: { instanceType: "m5.xlarge" } }), [
    'image.builder.instanceType: m5.xlarge is an x86_64 (amd64) instance type but image.arch is "arm64": use "m7g.xlarge", or set image.arch to "amd64"',
  ]);
  assert.deepEqual(messages({ arch: "arm64", builder: { instanceType: "p4d.24xlarge" } }), [
    'image.builder.instanceType: p4d.24xlarge is an x86_64 (amd64) instance type but image.arch is "arm64": use a Graviton type such as "t4g.small", or set image.arch to "amd64"',
  ]);
  assert.deepEqual(
    messages({ arch: "amd64", builder: { instanceType: "m7g.medium" } }),
    [
      'image.builder.instanceType: m7g.medium is an arm64 (Graviton) instance type but image.arch is "amd64": use an x86_64 type such as "t3.small", or set image.arch to "arm64"',
    ],
    "m7i has no medium size",
  );
  assert.deepEqual(
    [messages({ arch: "arm64", builder: { instanceType: "t4g.small" } }), messages({ arch: "amd64", builder: { instanceType: "t3.small" } })],
    [[], []],
  );
});

test("Graviton families are told from x86_64 ones by name", () => {
  const arm = ["a1.large", "t4g.nano", "m6gd.large", "c7gn.xlarge", "x2gd.medium", "im4gn.large", "is4gen.large", "g5g.xlarge", "hpc7g.4xlarge", "r8g.large"];
  const x86 = [
    "t3.small",
    "t3a.micro",
    "t2.micro",
    "m7i-flex.large",
    "c6in.large",
    "g4dn.xlarge",
    "g5.xlarge",
    "inf2.xlarge",
    "u-6tb1.metal",
    "m5.large",
    "x2idn.16xlarge",
  ];
  assert.deepEqual(
    arm.filter((t) => !isArmInstanceType(t)),
    [],
  );
  assert.deepEqual(x86.filter(isArmInstanceType), []);
});
