// The dial plan's "never reached" check is exact: a route is reported only when the routes before it
// take every dialled number it matches (language inclusion), with an example number in the message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRecipe } from "../../dsl/parse.ts";
import { copyDefaultRecipe as copy, listProblems as problems } from "./recipe-variants.ts";

function withDialPlan(patterns: string[]): string[] {
  const recipe = copy();
  recipe.gateway.dialPlan = patterns.map((pattern) => ({ kind: "upstream", pattern, upstream: "pbx" }));
  return problems(recipe);
}

test("a route that matches more than an earlier, narrower one is reachable", () => {
  assert.deepEqual(withDialPlan(["^0$", "^0"]), [], '"01" reaches route 2');
  assert.deepEqual(withDialPlan(["^[0-9]+$", "^[1-9]"]), [], '"1a" reaches route 2');
  assert.deepEqual(withDialPlan(["^[0-9]", "^1[0-9]{20,40}$"]).length, 1, "every number of route 2 starts with a digit");
  assert.deepEqual(withDialPlan(["^.{0,30}$", "^[0-9]{5,35}$"]), [], "31 digits reach route 2");
});

test("a route the earlier routes take together is reported, with a number and the route that takes it", () => {
  assert.deepEqual(withDialPlan(["^[0-4]", "^[5-9]", "^[0-9]{3}$"]), [
    'gateway.dialPlan[2].pattern: route 3 (upstream ^[0-9]{3}$) is never reached: the routes before it take every number it matches (e.g. "000" goes to route 1, upstream ^[0-4]); move it earlier',
  ]);
});

test("anchors are exact: an unanchored pattern matches anywhere in the number, ^ and $ only at its ends", () => {
  assert.deepEqual(withDialPlan(["9", "^9"]).length, 1, "a number starting with 9 contains 9");
  assert.deepEqual(withDialPlan(["^9", "9"]), [], '"09" reaches route 2');
  assert.deepEqual(withDialPlan(["9$|^9", "^9[0-9]*9$"]).length, 1);
  assert.deepEqual(withDialPlan(["^(00|\\+)", "^\\+49", "^0049"]), [
    'gateway.dialPlan[1].pattern: route 2 (upstream ^\\+49) is never reached: the routes before it take every number it matches (e.g. "+49" goes to route 1, upstream ^(00|\\+)); move it earlier',
    'gateway.dialPlan[2].pattern: route 3 (upstream ^0049) is never reached: the routes before it take every number it matches (e.g. "0049" goes to route 1, upstream ^(00|\\+)); move it earlier',
  ]);
});

test("a pattern that matches no number at all is reported", () => {
  assert.deepEqual(withDialPlan([".*", "a^b"]), ["gateway.dialPlan[1].pattern: route 2 (upstream a^b) matches no dialled number: check the pattern's ^ and $"]);
});

test("patterns too complex to decide get a warning, not a crash", () => {
  const recipe = copy();
  recipe.gateway.dialPlan = [".*1.{14}$", "^1"].map((pattern) => ({ kind: "upstream", pattern, upstream: "pbx" }));
  const parsed = parseRecipe(recipe);
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.warnings.map((p) => `${p.path}: ${p.message}`),
    [
      'gateway.dialPlan[1].pattern: route 2 (upstream ^1): whether it is ever reached cannot be decided (the patterns up to it need more than 10000 automaton states): simplify them, e.g. fewer ".*" followed by counted repeats',
    ],
  );
});
