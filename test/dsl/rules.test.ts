import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRecipe } from "../../dsl/parse.ts";
import { copyDefaultRecipe as copy, listProblems as problems, type MutableRecipe } from "./recipe-variants.ts";

test("rtpengine takes 4 ports per call: 10000-11000 holds exactly 250 calls", () => {
  const recipe = copy();
  recipe.gateway.capacity = { parallelCalls: 250 };
  assert.deepEqual(problems(recipe), []);
  recipe.gateway.capacity = { parallelCalls: 251 };
  assert.deepEqual(problems(recipe), [
    'gateway.listen.rtp: RTP range 10000-11000 holds 250 calls (4 ports per call) but gateway.capacity.parallelCalls is 251: use "10000-11003" or lower gateway.capacity.parallelCalls',
  ]);
});

test("SIP UDP and TCP share their ports legitimately, but RTP may not take a SIP UDP port", () => {
  const recipe = copy();
  recipe.gateway.listen.rtp = "4000-5060";
  assert.deepEqual(problems(recipe), [
    "gateway.listen.rtp: RTP 4000-5060/udp overlaps SIP UDP 5060-5069/udp (gateway.listen.sip.ports): give each listener its own ports",
  ]);
});

test("a conference pattern without a group cannot name the room", () => {
  const recipe = copy();
  recipe.gateway.dialPlan[0].pattern = "^\\*[0-9]{8}$";
  assert.deepEqual(problems(recipe), ["gateway.dialPlan[0].pattern: a conference pattern needs a group naming the room, e.g. ^\\*([0-9]{8})$"]);
});

test("Perl escapes that POSIX regular expressions lack are refused", () => {
  const recipe = copy();
  recipe.gateway.dialPlan[0].pattern = "^\\*(\\d{8})$";
  assert.deepEqual(problems(recipe), [
    'gateway.dialPlan[0].pattern: "\\d" is not POSIX (Kamailio matches with POSIX ERE): use a bracket expression such as [0-9]',
  ]);
});

test("a specific route after a narrower one is reachable, after a broader one it is not", () => {
  const recipe = copy();
  recipe.gateway.dialPlan = [
    { kind: "upstream", pattern: "^2[0-9]{3}$", upstream: "pbx" },
    { kind: "upstream", pattern: "^[0-9]+$", upstream: "pbx" },
    { kind: "reject", pattern: "^12[0-9]{2}$" },
  ];
  assert.deepEqual(problems(recipe), [
    'gateway.dialPlan[2].pattern: route 3 (reject ^12[0-9]{2}$) is never reached: the routes before it take every number it matches (e.g. "1200" goes to route 2, upstream ^[0-9]+$); move it earlier',
  ]);
});

test("unknown fields are typos: each is reported at its own path", () => {
  const recipe = copy();
  recipe.gateway.listen.rpt = "10000-11000";
  recipe.imgae = {};
  assert.deepEqual(problems(recipe).sort(), [
    "gateway.listen.rpt: unknown field `rpt` in gateway.listen: did you mean `rtp`? (see `rtcgw schema`)",
    "imgae: unknown field `imgae`: did you mean `image`? (see `rtcgw schema`)",
  ]);
});

test("every string that reaches a config file refuses control characters and quotes", () => {
  const hostile = 'x"\n#!define X';
  const cases: [string, (r: MutableRecipe) => void][] = [
    ["gateway.upstreams[0].host", (r) => (r.gateway.upstreams[0].host = hostile)],
    ["gateway.upstreams[0].allowFrom[0]", (r) => (r.gateway.upstreams[0].allowFrom = [hostile])],
    ["gateway.security.scanners[0]", (r) => (r.gateway.security.scanners = [hostile])],
    ["gateway.dialPlan[1].pattern", (r) => (r.gateway.dialPlan[1].pattern = hostile)],
    ["gateway.admin.user", (r) => (r.gateway.admin.user = hostile)],
    ["gateway.license.parameter", (r) => (r.gateway.license.parameter = `/x${hostile}`)],
    ["gateway.listen.advertise", (r) => (r.gateway.listen.advertise = hostile)],
    ["image.packages[0]", (r) => (r.image.packages = [hostile])],
    ["image.files[0].path", (r) => (r.image.files = [{ path: `/etc/${hostile}`, content: "x" }])],
    ["publish.goPage.title", (r) => (r.publish.goPage = { title: `<script>${hostile}` })],
    ["name", (r) => (r.name = hostile)],
  ];
  for (const [path, mutate] of cases) {
    const recipe = copy();
    mutate(recipe);
    const found = problems(recipe);
    assert.ok(
      found.some((p) => p.startsWith(`${path}:`)),
      `${path} accepted a hostile string; got ${JSON.stringify(found)}`,
    );
  }
});

test("port ranges are written three ways and checked for order and bounds", () => {
  for (const rtp of ["10000-11000", { from: 10000, to: 11000 }]) {
    const recipe = copy();
    recipe.gateway.listen.rtp = rtp;
    const result = parseRecipe(recipe);
    assert.ok(result.ok);
    assert.deepEqual(result.recipe.gateway.listen.rtp, { from: 10000, to: 11000 });
  }
  const reversed = copy();
  reversed.gateway.listen.rtp = "11000-10000";
  assert.deepEqual(problems(reversed), ['gateway.listen.rtp: range starts after it ends (11000 > 10000): write "10000-11000"']);
});

test("defaults: a minimal recipe gets the reference gateway's listeners and dial plan", () => {
  const result = parseRecipe({ name: "mini", gateway: { domains: ["pbx.example.com"], upstreams: [{ name: "pbx", host: "192.0.2.10" }] } });
  assert.ok(result.ok);
  const { gateway: g } = result.recipe;
  assert.deepEqual(g.listen.sip.ports, { from: 5060, to: 5069 });
  assert.deepEqual(g.listen.rtp, { from: 10000, to: 11000 });
  assert.deepEqual(g.upstreams[0], { name: "pbx", host: "192.0.2.10", port: 5060, transport: "udp", allowFrom: ["192.0.2.10"], tls: undefined });
  assert.deepEqual(
    g.dialPlan.map((r) => [r.kind, r.pattern]),
    [
      ["conference", "^\\*([0-9]{8})$"],
      ["music", "^music$"],
      ["upstream", ".*"],
    ],
  );
  assert.equal(result.recipe.image.name, "mini");
  assert.equal(result.recipe.publish.deprecateAfter, 730 * 86400);
});
