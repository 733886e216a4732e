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
  assert.equal(recipe.gateway.rules.maxCallSeconds, undefined, "the demo's 90 s limit is first boot's, so a license can lift it");
  assert.equal(recipe.gateway.rules.stripVideo, true);
  assert.deepEqual(
    recipe.gateway.dialPlan.map((r) => r.kind),
    ["conference", "music", "upstream"],
  );
});

test("image.builder.subnetId is optional, takes a subnet ID and refuses anything else at its path", () => {
  const withSubnet = (subnetId: unknown) => ({ ...gateway, image: { ...gateway.image, builder: { ...gateway.image?.builder, subnetId } } });
  const absent = parseRecipe(gateway);
  assert.ok(absent.ok);
  assert.equal(absent.recipe.image.builder.subnetId, undefined);
  for (const id of ["subnet-0123abcd", "subnet-0123456789abcdef0"]) {
    const parsed = parseRecipe(withSubnet(id));
    assert.ok(parsed.ok, id);
    assert.equal(parsed.recipe.image.builder.subnetId, id);
  }
  for (const id of ["subnet-0123abc", "subnet-0123456789abcdef01", "subnet-0123ABCD", "sg-0123456789abcdef0", "subnet-0123abcd\n", ""]) {
    const parsed = parseRecipe(withSubnet(id));
    assert.ok(!parsed.ok, JSON.stringify(id));
    assert.deepEqual(
      parsed.problems.map((p) => [p.path, p.message]),
      [["image.builder.subnetId", 'expected a subnet ID such as "subnet-0123456789abcdef0"']],
      JSON.stringify(id),
    );
  }
});
