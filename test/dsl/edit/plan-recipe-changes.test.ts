// What `rtcgw recipe set pbx`, `add-region` and `remove-region` decide to change, from the recipe's value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planPbxChange, planRegionAdd, planRegionRemove } from "../../../dsl/edit/plan-recipe-changes.ts";

const twoUpstreams = {
  gateway: {
    domains: ["pbx-a.example.com"],
    upstreams: [
      { name: "a", host: "pbx-a.example.com", allowFrom: ["192.0.2.1/32", "192.0.2.2/32"] },
      { name: "b", host: "192.0.2.20" },
    ],
  },
};

test("set pbx with several upstreams needs --upstream, then changes that one only", () => {
  assert.throws(() => planPbxChange(twoUpstreams, { host: "192.0.2.30" }), /the recipe has 2 upstreams \(a, b\): choose one with --upstream NAME/);
  assert.throws(() => planPbxChange(twoUpstreams, { host: "192.0.2.30", upstream: "c" }), /no upstream named "c": the recipe has a, b/);
  const plan = planPbxChange(twoUpstreams, { host: "192.0.2.30", upstream: "b" });
  assert.deepEqual(plan.edits, [
    { kind: "set", path: ["gateway", "upstreams", 1, "host"], value: "192.0.2.30" },
    { kind: "set", path: ["gateway", "upstreams", 1, "allowFrom"], value: ["192.0.2.30/32"] },
  ]);
  assert.deepEqual(plan.todo, []);
});

test("set pbx to a host name allows what it resolves to, and says so; unresolved, allowFrom goes and the fix is named", () => {
  const resolved = planPbxChange(twoUpstreams, { host: "pbx-c.example.com", upstream: "a", resolved: ["198.51.100.7", "2001:db8::7"] });
  assert.deepEqual(resolved.edits, [
    { kind: "set", path: ["gateway", "upstreams", 0, "host"], value: "pbx-c.example.com" },
    { kind: "set", path: ["gateway", "upstreams", 0, "allowFrom"], value: ["198.51.100.7/32", "2001:db8::7/128"] },
    { kind: "set", path: ["gateway", "domains", 0], value: "pbx-c.example.com" },
  ]);
  assert.match(resolved.todo[0]!, /^calls are accepted from 198\.51\.100\.7\/32, 2001:db8::7\/128, what pbx-c\.example\.com resolves to now/);
  const unresolved = planPbxChange(twoUpstreams, { host: "pbx-d.example.com", upstream: "a", resolved: [] });
  assert.deepEqual(
    unresolved.edits.map((e) => [e.kind, e.path.join(".")]),
    [
      ["set", "gateway.upstreams.0.host"],
      ["delete", "gateway.upstreams.0.allowFrom"],
      ["set", "gateway.domains.0"],
    ],
  );
  assert.equal(unresolved.changes[1], 'gateway.upstreams[0].allowFrom removed (was ["192.0.2.1/32","192.0.2.2/32"]: the old PBX\'s)');
  assert.match(
    unresolved.todo[0]!,
    /calls from the PBX are refused until you say which addresses it sends from: `rtcgw recipe set pbx pbx-d\.example\.com --allow-from CIDR,\.\.\.`/,
  );
  const given = planPbxChange(twoUpstreams, { host: "pbx-d.example.com", upstream: "a", allowFrom: ["203.0.113.0/24"] });
  assert.deepEqual(given.edits[1], { kind: "set", path: ["gateway", "upstreams", 0, "allowFrom"], value: ["203.0.113.0/24"] });
  assert.deepEqual(given.todo, []);
});

test("regions: a recipe without a list gets the resolved default plus the new one; all-enabled and the last region are refused", () => {
  assert.deepEqual(planRegionAdd({ name: "x" }, ["us-east-1"], "eu-west-1").edits, [{ kind: "set", path: ["regions"], value: ["us-east-1", "eu-west-1"] }]);
  assert.deepEqual(planRegionAdd({ regions: ["us-east-1"] }, ["us-east-1"], "eu-west-1").edits, [{ kind: "append", path: ["regions"], value: "eu-west-1" }]);
  assert.deepEqual(planRegionAdd({ regions: ["us-east-1"] }, ["us-east-1"], "us-east-1").edits, []);
  assert.throws(() => planRegionAdd({ regions: "all-enabled" }, "all-enabled", "eu-west-1"), /every enabled region is in already/);
  assert.deepEqual(planRegionRemove({ regions: ["us-east-1", "eu-west-1"] }, undefined, "eu-west-1").edits, [{ kind: "remove", path: ["regions"], index: 1 }]);
  assert.throws(() => planRegionRemove({ regions: ["us-east-1"] }, undefined, "us-east-1"), /us-east-1 is the only region/);
  assert.throws(() => planRegionRemove({ regions: "all-enabled" }, undefined, "us-east-1"), /list the regions you want instead/);
});
