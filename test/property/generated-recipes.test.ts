// Generated recipes against the real gateway (issue 15): every recipe `check` accepts compiles into configs the
// tools load (kamailio -c, nft -c, sshd -t) and a Kamailio (with rtpengine) that registers through to its first
// upstream and routes a call for every dial route to where that route says. Bounded here (a fixed seed, a few
// runs, plus every seed that once failed); `node --import tsx bench/generated-recipes.ts` runs many more.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parseRecipe } from "../../dsl/parse.ts";
import { startProofEnvironment, type StartedEnvironment } from "./generated-environment.ts";
import { proveGeneratedRecipe } from "./prove-generated-recipe.ts";
import { recipeInputArbitrary } from "./recipe-arbitrary.ts";

/** Seeds (with fast-check's shrink path) that once failed: each stays a regression case. */
const regressions = JSON.parse(readFileSync(new URL("./regression-seeds.json", import.meta.url), "utf8")) as { seed: number; path?: string; why: string }[];
const ciSeed = 15;
const ciRuns = Number(process.env.RTCGW_GENERATED_RUNS ?? 3);

let env: StartedEnvironment;
before(
  async () => {
    env = await startProofEnvironment();
  },
  { timeout: 60_000 },
);
after(async () => {
  await env?.stop();
});

// The property: a recipe check accepts works on the real gateway (recipes check refuses are discarded).
function gatewayWorks(): fc.IAsyncProperty<[Record<string, unknown>]> {
  return fc.asyncProperty(recipeInputArbitrary(env.caPem), async (input) => {
    const parsed = parseRecipe(input);
    fc.pre(parsed.ok);
    if (parsed.ok) await proveGeneratedRecipe(parsed.recipe, env);
  });
}

test(`generated recipes work on the real gateway (seed ${ciSeed}, ${ciRuns} runs)`, { timeout: 20 * 60_000 }, async () => {
  const details = await fc.check(gatewayWorks(), { seed: ciSeed, numRuns: ciRuns, endOnFailure: true, maxSkipsPerRun: 200 });
  assert.equal(details.failed, false, report(details));
  assert.equal(details.numRuns, ciRuns, `only ${details.numRuns} of ${ciRuns} generated recipes were valid`);
});

for (const regression of regressions) {
  test(`regression seed ${regression.seed}: ${regression.why}`, { timeout: 5 * 60_000 }, async () => {
    const details = await fc.check(gatewayWorks(), {
      seed: regression.seed,
      ...(regression.path ? { path: regression.path } : {}),
      numRuns: 1,
      endOnFailure: true,
      maxSkipsPerRun: 200,
    });
    assert.equal(details.failed, false, report(details));
  });
}

// fast-check's report (seed, path, counterexample) with the failure itself, minus the CA's PEM noise.
function report(details: fc.RunDetails<[Record<string, unknown>]>): string {
  const text = `${fc.defaultReportMessage(details) ?? ""}\n${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`;
  return text.replace(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----(\\n)?/g, "<CA PEM>");
}
