// Benchmark of the AWS pipeline on the fake cloud (17 regions, virtual time): a full build + publish run against
// 1.1 × (build + smoke test + slowest copy), then the real time of a re-run with an unchanged recipe (must create nothing).
// Run: node --import tsx bench/aws-publish.ts
import { performance } from "node:perf_hooks";
import { buildAwsImage } from "../image/builders/aws/build-aws-image.ts";
import type { ProgressEvent } from "../io/steps.ts";
import { publishImage } from "../regions/publish-image.ts";
import { createFakeCloud, defaultRegions } from "../test/fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "../test/aws/fixtures.ts";

const copyMsByRegion = Object.fromEntries(defaultRegions.map((r, i) => [r, (15 + ((i * 7) % 17) * 3.5) * 60_000]));
const cloud = createFakeCloud({ timings: { copyMsByRegion } });
const t = cloud.timings;
const recipe = makeRecipe({ regions: defaultRegions, publish: { visibility: "public" } });
const journalPath = tempJournalPath();
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
const snapshot = () =>
  JSON.stringify([
    cloud.state.images.length,
    cloud.state.snapshots.length,
    cloud.state.instances.length,
    cloud.state.securityGroups.length,
    cloud.state.roles.length,
    cloud.state.commands.length,
    [...cloud.state.parameters.values()],
    [...cloud.state.buckets.values()].map((b) => [...b.objects.keys()]),
  ]);

let smokeAt = 0;
const onBuild = (e: ProgressEvent) => void (e.step === "smoke" && e.state === "start" && (smokeAt = e.elapsedMs));
const start = cloud.clock.now();
const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports, undefined, onBuild);
if (!built.ok) throw new Error(`build failed: ${JSON.stringify(built)}`);
const builtAt = cloud.clock.now() - start;
const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
if (published.kind !== "published") throw new Error(`publish failed: ${JSON.stringify(published)}`);
const total = cloud.clock.now() - start;

const ideal = {
  build: t.instanceBootMs + t.ssmRegisterMs + t.provisionMs + t.stopMs + t.createImageMs,
  smoke: t.instanceBootMs + t.ssmRegisterMs + t.smokeMs,
  slowestCopy: Math.max(...Object.values(copyMsByRegion)),
};
const reference = ideal.build + ideal.smoke + ideal.slowestCopy;
console.log(`full run, ${defaultRegions.length} regions (virtual time)`);
console.log(
  `  build ${minutes(smokeAt)} (ideal ${minutes(ideal.build)}), smoke + cleanup ${minutes(builtAt - smokeAt)} (ideal smoke ${minutes(ideal.smoke)}), publish ${minutes(total - builtAt)} (slowest copy ${minutes(ideal.slowestCopy)})`,
);
console.log(
  `  total ${minutes(total)} vs 1.1 × ${minutes(reference)} = ${minutes(1.1 * reference)}: ratio ${(total / reference).toFixed(3)} ${total <= 1.1 * reference ? "OK" : "TOO SLOW"}`,
);

const before = snapshot();
const realStart = performance.now();
const rebuilt = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
if (!rebuilt.ok) throw new Error("re-run build failed");
const republished = await publishImage(
  { recipe, buildId: rebuilt.buildId, sourceRegion: "us-east-1", sourceImageId: rebuilt.imageId, journalPath },
  cloud.ports,
);
const realMs = performance.now() - realStart;
const unchanged = snapshot() === before;
console.log(
  `re-run, unchanged recipe: ${rebuilt.kind} + ${republished.kind} in ${(realMs / 1000).toFixed(2)} s real time; created nothing: ${unchanged ? "yes" : "NO"} ${realMs < 5000 && unchanged ? "OK" : "FAIL"}`,
);
process.exitCode = total <= 1.1 * reference && realMs < 5000 && unchanged ? 0 : 1;
