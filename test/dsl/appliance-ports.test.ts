// One description of every port the appliance binds: the overlap rules, the firewall and the AWS security
// group all derive from it, so they cannot disagree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { listApplianceListeners } from "../../dsl/appliance-ports.ts";
import { buildNftablesContext } from "../../gateway/nftables/compile-nftables-ruleset.ts";
import { kamailioLoopback } from "../../gateway/agent/contract.ts";
import { listIngressRules } from "../../regions/artifacts/public-ports.ts";
import { formatPortRange } from "../../dsl/units.ts";
import { buildTestRecipe } from "../harness/gateway-config.ts";

const recipes = {
  default: buildTestRecipe(),
  "tls, ws, other ports": buildTestRecipe((r) => {
    r.gateway.listen = {
      sip: { ports: "5070-5071", transports: ["udp", "tcp"] },
      tls: { port: 5081 },
      wss: { port: 8443 },
      ws: { port: 8081 },
      rtp: "20000-21000",
    };
    r.image.ssh = { port: 2222, allowFrom: ["198.51.100.0/24"] };
  }),
};

for (const [name, recipe] of Object.entries(recipes)) {
  test(`${name}: the firewall and the security group open exactly the public listeners, SSH to its sources only`, () => {
    const listeners = listApplianceListeners(recipe);
    const publicOnes = listeners.filter((l) => l.exposure === "public").map((l) => `${l.protocol} ${formatPortRange(l.range)}`);
    const firewall = buildNftablesContext(recipe).ports.map((p) => `${p.protocol} ${p.ports}`);
    const ingress = listIngressRules(recipe);
    assert.deepEqual(firewall, publicOnes);
    assert.deepEqual(
      ingress.filter((r) => r.label !== "SSH").map((r) => `${r.protocol} ${formatPortRange(r)}`),
      publicOnes,
    );
    assert.ok(ingress.filter((r) => r.label !== "SSH").every((r) => r.cidrs.join() === "0.0.0.0/0,::/0"));
    const ssh = ingress.filter((r) => r.label === "SSH");
    assert.deepEqual(ssh, [{ protocol: "tcp", from: recipe.image.ssh.port, to: recipe.image.ssh.port, label: "SSH", cidrs: recipe.image.ssh.allowFrom }]);
    for (const hidden of listeners.filter((l) => l.exposure === "loopback" || l.exposure === "internal")) {
      const port = hidden.range.from;
      assert.ok(!ingress.some((r) => r.protocol === hidden.protocol && r.from <= port && port <= r.to), `${hidden.label} is in the security group`);
      assert.ok(!firewall.includes(`${hidden.protocol} ${port}`), `${hidden.label} is opened by the firewall`);
    }
  });
}

test("the internal Kamailio loopback port is the one the agent proxies to", () => {
  const internal = listApplianceListeners(recipes.default).filter((l) => l.exposure === "internal");
  assert.deepEqual(
    internal.map((l) => [l.protocol, l.range.from]),
    [["tcp", kamailioLoopback.port]],
  );
});
