import { test } from "node:test";
import assert from "node:assert/strict";
import { copyDefaultRecipe as copy, listProblems as problems } from "./recipe-variants.ts";

test("a public AMI may be deprecated at most 2 years after its creation; shared and private ones later", () => {
  const recipe = copy();
  recipe.publish.visibility = "public";
  recipe.publish.deprecateAfter = "730d";
  assert.deepEqual(problems(recipe), []);
  recipe.publish.deprecateAfter = "731d";
  assert.deepEqual(problems(recipe), [
    'publish.deprecateAfter: a public AMI is deprecated at most 2 years (730 days) after its creation, 731 days is longer: use "730d" or less, or publish to accounts ({ accounts: [...] })',
  ]);
  recipe.publish.visibility = { accounts: ["444455556666"] };
  assert.deepEqual(problems(recipe), []);
  recipe.publish.visibility = "private";
  recipe.publish.deprecateAfter = "1000d";
  assert.deepEqual(problems(recipe), []);
});

test("a public AMI with encrypted snapshots is still refused with its own message, beside the deprecation problem", () => {
  const recipe = copy();
  recipe.publish.visibility = "public";
  recipe.publish.deprecateAfter = "1095d";
  recipe.image.disk = { sizeGiB: 8, encrypted: true };
  assert.deepEqual(
    problems(recipe).map((p) => p.split(":")[0]),
    ["image.disk.encrypted", "publish.deprecateAfter"],
  );
});

test("no AMI may be deprecated more than 10 years ahead, whatever its visibility", () => {
  const recipe = copy();
  recipe.publish.deprecateAfter = "3650d";
  assert.deepEqual(problems(recipe), []);
  recipe.publish.deprecateAfter = "4000d";
  assert.deepEqual(problems(recipe), [
    'publish.deprecateAfter: EC2 accepts a deprecation date at most 10 years ahead, 4000 days is longer: use "3650d" or less',
  ]);
});
