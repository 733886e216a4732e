import type { Recipe } from "../dsl/resolve.ts";
import type { CloudPorts } from "../cloud/ports.ts";
import { amiNameFor } from "../cloud/naming.ts";
import { startCloudRun } from "../cloud/cloud-run.ts";
import { publishArtifacts, type PublishedArtifacts } from "./artifacts/publish-artifacts.ts";
import type { CapacityRow } from "./artifacts/capacity-advice.ts";
import { distributeImage, type RegionOutcome } from "./distribute.ts";
import { createStepRunner, type ProgressListener } from "../io/steps.ts";
import { openJournal, readJournal, type Journal, type RegionEntry } from "../cloud/journal.ts";
import { planPublish, type PublishPlan } from "./plan-publish.ts";
import { runPreflight } from "../cloud/preflight.ts";
import type { PreflightProblem } from "../cloud/preflight-problem.ts";

/** What `publishImage` needs: a smoke-tested image in the source region and where to keep the journal. */
export interface PublishOptions {
  recipe: Recipe;
  buildId: string;
  sourceRegion: string;
  sourceImageId: string;
  /** The local journal file (resume reads it). */
  journalPath: string;
  /** S3 bucket for templates, manifest and go page. @default `rtcgw-<account>-<sourceRegion>` */
  artifactBucket?: string;
  /** Also write the artifacts here. */
  outDir?: string;
  /** Only pre-flight and plan. */
  dryRun?: boolean;
  /** @default 3 h */
  copyBudgetMs?: number;
  capacity?: CapacityRow[];
}

/** The steps of a publish run (stage `publish`); during `copies` each region reports its own steps (distribute.ts). */
export type PublishStep = "preflight" | "copies" | "artifacts";

/** The outcome of a publish run; `ok` is false whenever any region failed (the others stay published). */
export type PublishResult =
  | { kind: "planned"; ok: true; plan: PublishPlan }
  | { kind: "published"; ok: true; plan: PublishPlan; regions: RegionOutcome[]; artifacts: PublishedArtifacts }
  | { kind: "partial"; ok: false; plan: PublishPlan; regions: RegionOutcome[]; artifacts: PublishedArtifacts }
  | { kind: "preflight-failed"; ok: false; problems: PreflightProblem[] }
  | { kind: "aborted"; ok: false; plan: PublishPlan; regions: Record<string, RegionEntry> }
  | { kind: "failed"; ok: false; error: string };

// Pre-flight in every region, then copy, share, deprecate, set parameters and publish manifest, templates and go page.
// Re-running with the same build finishes only what the journal says is missing.
export async function publishImage(options: PublishOptions, ports: CloudPorts, signal?: AbortSignal, onProgress?: ProgressListener): Promise<PublishResult> {
  const { recipe, buildId, sourceRegion } = options;
  const amiName = amiNameFor(recipe.image.name, recipe.version, buildId);
  const run = startCloudRun(ports, { signal, onProgress });
  const started = ports.clock.now();
  const steps = createStepRunner<PublishStep>({ stage: "publish", first: "preflight", now: () => ports.clock.now(), started, onProgress });
  const preflight = await steps.run("preflight", () => runPreflight({ recipe, sourceRegion, amiName, buildId }, run));
  if (!preflight.ok) return { kind: "preflight-failed", ok: false, problems: preflight.problems };
  const previous = readJournal(options.journalPath);
  const plan = planPublish({
    recipe,
    buildId,
    amiName,
    sourceRegion,
    regions: preflight.regions,
    journal: previous,
    artifactBucket: options.artifactBucket ?? `rtcgw-${preflight.account}-${sourceRegion}`,
  });
  if (options.dryRun) return { kind: "planned", ok: true, plan };
  const fresh: Journal = {
    version: 1,
    buildId,
    recipe: recipe.name,
    recipeVersion: recipe.version,
    amiName,
    sourceRegion,
    sourceImageId: options.sourceImageId,
    account: preflight.account,
    temporary: [],
    regions: {},
  };
  const journal = openJournal(options.journalPath, fresh);
  journal.update((j) => {
    j.account = preflight.account;
    j.sourceImageId = options.sourceImageId;
    for (const r of plan.regions) j.regions[r.region] ??= { status: "pending" };
  });
  try {
    const regions = await steps.run(
      "copies",
      () => distributeImage(plan, { ...run, recipe, journal, sourceImageId: options.sourceImageId, copyBudgetMs: options.copyBudgetMs, started }),
      (outcomes) => `${outcomes.filter((r) => r.ok).length}/${outcomes.length} regions published`,
    );
    const artifacts = await steps.run("artifacts", () =>
      publishArtifacts({ recipe, plan, journal: journal.read(), run, outDir: options.outDir, capacity: options.capacity }),
    );
    journal.update((j) => void (j.artifacts = { bucket: artifacts.bucket, keys: Object.keys(artifacts.files) }));
    const ok = regions.every((r) => r.ok);
    return ok ? { kind: "published", ok, plan, regions, artifacts } : { kind: "partial", ok, plan, regions, artifacts };
  } catch (error) {
    if (signal?.aborted) return { kind: "aborted", ok: false, plan, regions: journal.read().regions };
    return { kind: "failed", ok: false, error: (error as Error).message };
  }
}

// Finishes a crashed or interrupted publish from its journal: only the regions not yet published are touched.
export async function resumePublish(
  options: Omit<PublishOptions, "buildId" | "sourceRegion" | "sourceImageId">,
  ports: CloudPorts,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<PublishResult> {
  const journal = readJournal(options.journalPath);
  if (!journal?.sourceImageId)
    return { kind: "failed", ok: false, error: `no publish to resume: ${options.journalPath} ${journal ? "has no source image" : "does not exist"}` };
  if (journal.recipe !== options.recipe.name || journal.recipeVersion !== options.recipe.version) {
    return {
      kind: "failed",
      ok: false,
      error: `the journal is for ${journal.recipe} ${journal.recipeVersion}, the recipe is ${options.recipe.name} ${options.recipe.version}`,
    };
  }
  return publishImage(
    { ...options, buildId: journal.buildId, sourceRegion: journal.sourceRegion, sourceImageId: journal.sourceImageId },
    ports,
    signal,
    onProgress,
  );
}
