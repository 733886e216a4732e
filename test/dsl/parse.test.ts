import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRecipe } from "../../dsl/parse.ts";
import gateway from "../../recipes/gateway.ts";

test("the default recipe parses with the reference demo gateway's values", () => {
  const result = parseRecipe(gateway);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  const { recipe } = result;
  assert.deepEqual(recipe.gateway.listen.sip.ports, { from: 5060, to: 5069 });
  assert.deepEqual(recipe.gateway.listen.rtp, { from: 10000, to: 11000 });
  assert.equal(recipe.gateway.listen.wss.port, 443);
  assert.equal(recipe.gateway.rules.maxCallSeconds, 90);
  assert.equal(recipe.gateway.rules.stripVideo, true);
  assert.deepEqual(recipe.gateway.dialPlan.map((r) => r.kind), ["conference", "music", "upstream"]);
});
