// The larger run of the generated-recipe property (test/property/generated-recipes.test.ts runs 3 in CI): many
// generated recipes, each checked, compiled, loaded by kamailio -c / nft -c / sshd -t and driven through the real
// Kamailio + rtpengine. Prints how many recipes were proved, how many check refused, the time per recipe and, on a
// failure, the seed and path to add to test/property/regression-seeds.json.
// Run: nice node --import tsx bench/generated-recipes.ts [runs] [seed]
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { parseRecipe } from "../dsl/parse.ts";
import { startProofEnvironment } from "../test/property/generated-environment.ts";
import { proveGeneratedRecipe } from "../test/property/prove-generated-recipe.ts";
import { recipeInputArbitrary } from "../test/property/recipe-arbitrary.ts";

const runs = Number(process.argv[2] ?? 30);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const env = await startProofEnvironment();
let refused = 0;
const started = performance.now();
try {
  const details = await fc.check(
    fc.asyncProperty(recipeInputArbitrary(env.caPem), async (input) => {
      const parsed = parseRecipe(input);
      if (!parsed.ok) refused++;
      fc.pre(parsed.ok);
      if (parsed.ok) await proveGeneratedRecipe(parsed.recipe, env);
    }),
    { seed, numRuns: runs, endOnFailure: true, maxSkipsPerRun: 200 },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `seed ${seed}: ${details.numRuns} recipes proved, ${refused} generated recipes refused by check, ${seconds.toFixed(1)} s (${(seconds / Math.max(1, details.numRuns)).toFixed(1)} s per recipe), load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  if (details.failed) {
    console.log(`FAILED: add { "seed": ${details.seed}, "path": "${details.counterexamplePath}", "why": "..." } to test/property/regression-seeds.json`);
    console.log(details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance));
    process.exitCode = 1;
  }
} finally {
  await env.stop();
}
