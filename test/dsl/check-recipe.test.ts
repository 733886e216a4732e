import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { formatProblem } from "../../dsl/problems.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const fixture = (name: string) => join(root, "test/dsl/fixtures", name);

async function problemLines(name: string): Promise<string[]> {
  const result = await checkRecipeFile(fixture(name), { typecheck: true, cwd: root });
  assert.equal(result.ok, false, `${name} should not validate`);
  return result.ok ? [] : result.problems.map(formatProblem);
}

test("the default recipe passes the type-check, the schema and every rule", async () => {
  const result = await checkRecipeFile(join(root, "recipes/gateway.ts"), { typecheck: true, cwd: root });
  assert.equal(result.ok, true, result.ok ? "" : result.problems.map(formatProblem).join("\n"));
});

test("listeners sharing a port: the later one is reported with the earlier one named", async () => {
  assert.deepEqual(await problemLines("port-overlap.ts"), [
    "test/dsl/fixtures/port-overlap.ts:14:14 error gateway.listen.wss.port: WSS/HTTPS 5062/tcp overlaps SIP TCP 5060-5069/tcp (gateway.listen.sip.ports): give each listener its own ports",
  ]);
});

test("an RTP range too small for the capacity target names the range that would fit", async () => {
  assert.deepEqual(await problemLines("rtp-capacity.ts"), [
    'test/dsl/fixtures/rtp-capacity.ts:15:7 error gateway.listen.rtp: RTP range 10000-10100 holds 25 calls (4 ports per call) but gateway.capacity.parallelCalls is 400: use "10000-11599" or lower gateway.capacity.parallelCalls',
  ]);
});

test("a catch-all route before the conference route shadows every later route", async () => {
  const lines = await problemLines("shadowed-route.ts");
  assert.equal(lines.length, 3);
  assert.equal(
    lines[0],
    'test/dsl/fixtures/shadowed-route.ts:20:29 error gateway.dialPlan[1].pattern: route 2 (conference ^\\*([0-9]{8})$) is never reached: the routes before it take every number it matches (e.g. "*00000000" goes to route 1, upstream .*); move it earlier',
  );
  assert.match(lines[1]!, /^test\/dsl\/fixtures\/shadowed-route\.ts:21:24 error gateway\.dialPlan\[2\]\.pattern: route 3 \(music \^music\$\) is never reached/);
});

test("an invalid regular expression is reported where it is written", async () => {
  assert.deepEqual(await problemLines("invalid-regex.ts"), [
    "test/dsl/fixtures/invalid-regex.ts:20:24 error gateway.dialPlan[1].pattern: is not a valid regular expression (Unterminated group)",
  ]);
});

test("a route naming an unknown upstream fails the type-check with a suggestion, reported once", async () => {
  assert.deepEqual(await problemLines("unknown-upstream.ts"), [
    `test/dsl/fixtures/unknown-upstream.ts:21:42 error TS2820: Type '"pbxx"' is not assignable to type '"pbx" | "(the name of an entry in gateway.upstreams)"'. Did you mean '"pbx"'?`,
  ]);
});

test("JSON and YAML recipes bypass the type-checker: the rules still catch an unknown upstream, at the right line", async () => {
  assert.deepEqual(await problemLines("unknown-upstream.json"), [
    'test/dsl/fixtures/unknown-upstream.json:8:29 error gateway.dialPlan[1].upstream: unknown upstream "pbxx": did you mean "pbx"?',
  ]);
  assert.deepEqual(await problemLines("unknown-upstream.yaml"), [
    'test/dsl/fixtures/unknown-upstream.yaml:8:5 error gateway.listen.rtp: RTP range 10000-10003 holds 1 call (4 ports per call) but gateway.capacity.parallelCalls is 200: use "10000-10799" or lower gateway.capacity.parallelCalls',
    'test/dsl/fixtures/unknown-upstream.yaml:11:7 error gateway.dialPlan[0].upstream: unknown upstream "pbxx": did you mean "pbx"?',
  ]);
});

test("a public AMI with encrypted snapshots is refused", async () => {
  assert.deepEqual(await problemLines("public-encrypted.ts"), [
    "test/dsl/fixtures/public-encrypted.ts:33:25 error image.disk.encrypted: a public AMI cannot have encrypted snapshots: set encrypted: false or publish to accounts ({ accounts: [...] })",
  ]);
});

test("a string carrying a newline and quotes toward kamailio.cfg is rejected before any config is written", async () => {
  assert.deepEqual(await problemLines("config-injection.ts"), [
    "test/dsl/fixtures/config-injection.ts:10:15 error gateway.domains[0]: expected a host name or an IP address",
  ]);
});

test("several problems in one recipe are all reported at once, in source order", async () => {
  assert.deepEqual(
    (await problemLines("several-problems.ts")).map((line) => line.split(" ").slice(0, 3).join(" ")),
    [
      "test/dsl/fixtures/several-problems.ts:12:5 error gateway.listne:",
      "test/dsl/fixtures/several-problems.ts:16:7 error gateway.listen.rtp:",
      "test/dsl/fixtures/several-problems.ts:22:42 error TS2820:",
      "test/dsl/fixtures/several-problems.ts:32:12 error image.ssh.port:",
    ],
  );
});

test("an upstream without a listener of its transport and a misspelt region, at their lines in YAML", async () => {
  assert.deepEqual(await problemLines("transport-and-region.yaml"), [
    'test/dsl/fixtures/transport-and-region.yaml:7:7 error gateway.upstreams[0].transport: upstream "pbx" uses TCP but the gateway has no SIP TCP listener to reach it from: add "tcp" to gateway.listen.sip.transports',
    'test/dsl/fixtures/transport-and-region.yaml:12:5 error regions[0]: unknown AWS region "eu-centrl-1": did you mean "eu-central-1"?',
  ]);
});
