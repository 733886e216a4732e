// Recipes `check` used to accept although the compiled gateway could not work (issue 15): each case
// names the problem at its path, with what to change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRecipe } from "../../dsl/parse.ts";
import { copyDefaultRecipe as copy, listProblems as problems } from "./recipe-variants.ts";

function warnings(value: unknown): string[] {
  const result = parseRecipe(value);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.warnings.map((p) => `${p.path}: ${p.message}`);
}

test("a TCP upstream needs a SIP TCP listener: Kamailio would relay it through its internal loopback port", () => {
  const recipe = copy();
  recipe.gateway.upstreams[0].transport = "tcp";
  recipe.gateway.listen.sip.transports = ["udp"];
  assert.deepEqual(problems(recipe), [
    'gateway.upstreams[0].transport: upstream "pbx" uses TCP but the gateway has no SIP TCP listener to reach it from: add "tcp" to gateway.listen.sip.transports',
  ]);
});

test("a UDP upstream needs a SIP UDP listener", () => {
  const recipe = copy();
  recipe.gateway.listen.sip.transports = ["tcp"];
  recipe.gateway.dialPlan = [{ kind: "upstream", pattern: ".*", upstream: "pbx" }];
  assert.deepEqual(problems(recipe), [
    'gateway.upstreams[0].transport: upstream "pbx" uses UDP but the gateway has no SIP UDP listener to reach it from: add "udp" to gateway.listen.sip.transports',
  ]);
});

test("a TLS upstream needs the TLS listener (tls.so and a TLS socket)", () => {
  const recipe = copy();
  recipe.gateway.upstreams[0].transport = "tls";
  assert.deepEqual(problems(recipe), [
    'gateway.upstreams[0].transport: upstream "pbx" uses TLS but the gateway has no TLS listener to reach it from: add gateway.listen.tls ({ port: 5061 })',
  ]);
  recipe.gateway.listen.tls = { port: 5061 };
  recipe.gateway.listen.sip.ports = "5070-5079";
  assert.deepEqual(problems(recipe), []);
});

test("a SIP range over a port the appliance uses internally (Kamailio's loopback WS/HTTP, 8090/tcp) is refused", () => {
  const recipe = copy();
  recipe.gateway.listen.sip.ports = "8080-8099";
  assert.deepEqual(problems(recipe), [
    "gateway.listen.sip.ports: SIP TCP 8080-8099/tcp overlaps Kamailio loopback WS/HTTP 8090/tcp (internal, used by the appliance itself): give each listener its own ports",
  ]);
  recipe.gateway.listen.sip.transports = ["udp"];
  assert.deepEqual(problems(recipe), [], "8090/udp is free");
});

test("the recipe's WSS port may not be Kamailio's internal port either", () => {
  const recipe = copy();
  recipe.gateway.listen.wss.port = 8090;
  assert.deepEqual(problems(recipe), [
    "gateway.listen.wss.port: WSS/HTTPS 8090/tcp overlaps Kamailio loopback WS/HTTP 8090/tcp (internal, used by the appliance itself): give each listener its own ports",
  ]);
});

test("an upstream named by host name without allowFrom: calls from the PBX will be refused, and check says so", () => {
  const recipe = copy();
  recipe.gateway.upstreams[0].allowFrom = [];
  assert.deepEqual(warnings(recipe), [
    'gateway.upstreams[0].allowFrom: upstream "pbx" is a host name and allowFrom is empty: the gateway refuses every call from it; list its source addresses, e.g. allowFrom: ["192.0.2.10/32"]',
  ]);
  delete recipe.gateway.upstreams[0].allowFrom;
  assert.equal(warnings(recipe).length, 1);
  recipe.gateway.upstreams[0].host = "192.0.2.10";
  assert.deepEqual(warnings(recipe), [], "an IP address host is allowed by default");
});

test("misspelt regions get a suggestion; opt-in regions are flagged; partitions do not mix", () => {
  const recipe = copy();
  recipe.regions = ["us-east-1", "eu-centrl-1"];
  assert.deepEqual(problems(recipe), ['regions[1]: unknown AWS region "eu-centrl-1": did you mean "eu-central-1"?']);
  recipe.regions = ["us-east-1", "af-south-1"];
  assert.deepEqual(warnings(recipe), [
    "regions[1]: af-south-1 (Africa (Cape Town)) is an opt-in region: enable it in the account (Account settings → AWS Regions) or the build fails there",
  ]);
  recipe.regions = ["us-east-1", "us-gov-west-1"];
  assert.deepEqual(problems(recipe), [
    "regions[1]: us-gov-west-1 is in the aws-us-gov partition and regions[0] (us-east-1) in aws: one recipe publishes to one partition",
  ]);
});

test("unknown fields suggest the field that was meant", () => {
  const recipe = copy();
  recipe.gateway.listen.rpt = "10000-11000";
  recipe.imgae = {};
  recipe.gateway.listen.xyzzy = 1;
  assert.deepEqual(problems(recipe).sort(), [
    "gateway.listen.rpt: unknown field `rpt` in gateway.listen: did you mean `rtp`? (see `rtcgw schema`)",
    "gateway.listen.xyzzy: unknown field `xyzzy` in gateway.listen: check the spelling (see `rtcgw schema`)",
    "imgae: unknown field `imgae`: did you mean `image`? (see `rtcgw schema`)",
  ]);
});

test("JSON recipes may name their schema with $schema", () => {
  const recipe = { $schema: "https://example.com/rtcgw.schema.json", ...copy() };
  assert.deepEqual(problems(recipe), []);
});

test("arm64 is refused until its bootable disk is built and boot-tested", () => {
  const recipe = copy();
  recipe.image.arch = "arm64";
  recipe.image.builder.instanceType = "t4g.small";
  assert.deepEqual(problems(recipe), ['image.arch: arm64 images are not built yet (the bootable disk and its boot test are amd64 only): use "amd64"']);
});

test("TLS upstream settings: only for TLS upstreams, PEM certificates only, and the opt-out is a warning", () => {
  const recipe = copy();
  recipe.gateway.upstreams[0].tls = { verify: false };
  assert.deepEqual(problems(recipe), ['gateway.upstreams[0].tls: tls settings apply to transport "tls" only; this upstream uses "udp"']);
  recipe.gateway.upstreams[0].transport = "tls";
  recipe.gateway.listen.tls = { port: 5081 };
  assert.deepEqual(warnings(recipe), [
    'gateway.upstreams[0].tls.verify: upstream "pbx": its TLS certificate is not verified, so anyone on the path can pose as it; pin its CA with tls: { ca: "-----BEGIN CERTIFICATE-----..." } instead',
  ]);
  recipe.gateway.upstreams[0].tls = { ca: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n[client:default]\nverify_certificate = no\n" };
  assert.deepEqual(problems(recipe), [
    'gateway.upstreams[0].tls.ca: expected PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----")',
  ]);
  recipe.gateway.upstreams[0].tls = { ca: "-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----\n" };
  assert.deepEqual(problems(recipe), []);
});

test("conference and music routes need a SIP UDP listener: the media service speaks SIP over UDP (found by the generated-recipe test, seed 15)", () => {
  const recipe = copy();
  recipe.gateway.listen.sip.transports = ["tcp"];
  recipe.gateway.upstreams[0].transport = "tcp";
  assert.deepEqual(problems(recipe), [
    'gateway.dialPlan[0].kind: route 1 (conference) relays to the on-board media service over UDP but the gateway has no SIP UDP listener: add "udp" to gateway.listen.sip.transports',
    'gateway.dialPlan[1].kind: route 2 (music) relays to the on-board media service over UDP but the gateway has no SIP UDP listener: add "udp" to gateway.listen.sip.transports',
  ]);
});
