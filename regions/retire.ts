import { deregisterWithSnapshots } from "../cloud/cleanup-temporary.ts";
import type { Recipe } from "../dsl/resolve.ts";
import type { CloudPorts, ImageRecord } from "../cloud/ports.ts";
import { tagKeys } from "../cloud/naming.ts";
import { startCloudRun, type CloudRun } from "../cloud/cloud-run.ts";
import { createStepRunner, type ProgressListener } from "../io/steps.ts";
import { listTargetRegions } from "./list-target-regions.ts";
import { listParameterNames } from "./plan-publish.ts";

/** What `retire` keeps. */
export interface RetireOptions {
  recipe: Recipe;
  /** How many of the newest published AMIs to keep per region. */
  keep: number;
  regions?: readonly string[] | "all-enabled";
  dryRun?: boolean;
}

/** One region's outcome. */
export interface RetireRegion {
  region: string;
  kept: string[];
  retired: string[];
  skipped: { imageId: string; reason: string }[];
  error?: string;
}

/** The outcome of retire. */
export type RetireResult = { ok: boolean; regions: RetireRegion[]; error?: string };

// Decides which AMIs to retire in one region: all but the newest `keep`, skipping those still used (pure).
export function planRetire(images: readonly ImageRecord[], keep: number, inUse: ReadonlyMap<string, string>): Omit<RetireRegion, "region"> {
  const sorted = [...images].sort((a, b) => b.creationDate.localeCompare(a.creationDate) || b.imageId.localeCompare(a.imageId));
  const old = sorted.slice(keep);
  return {
    kept: sorted.slice(0, keep).map((i) => i.imageId),
    retired: old.filter((i) => !inUse.has(i.imageId)).map((i) => i.imageId),
    skipped: old.filter((i) => inUse.has(i.imageId)).map((i) => ({ imageId: i.imageId, reason: inUse.get(i.imageId)! })),
  };
}

// Deregisters old published AMIs of the recipe (and deletes their snapshots) in every region, keeping the newest `keep` and any
// AMI still used by an instance, a launch template or the `latest` parameter.
export async function retire(options: RetireOptions, ports: CloudPorts, signal?: AbortSignal, onProgress?: ProgressListener): Promise<RetireResult> {
  if (!Number.isInteger(options.keep) || options.keep < 1)
    return { ok: false, regions: [], error: `Expected the \`keep\` option to be a positive integer, got \`${options.keep}\` (${typeof options.keep})` };
  const run = startCloudRun(ports, { signal, onProgress });
  const started = ports.clock.now();
  const regions = await listTargetRegions(options.regions ?? options.recipe.regions, run);
  const results = await Promise.all(
    regions.map(async (region): Promise<RetireRegion> => {
      const steps = createStepRunner<"retire">({ stage: "retire", first: "retire", region, now: () => ports.clock.now(), started, onProgress });
      try {
        return await steps.run(
          "retire",
          () => retireInRegion(region, options, run),
          (r) => `${r.retired.length} ${options.dryRun ? "to retire" : "retired"}`,
        );
      } catch (error) {
        return { region, kept: [], retired: [], skipped: [], error: (error as Error).message };
      }
    }),
  );
  return { ok: results.every((r) => !r.error), regions: results };
}

// Retires the recipe's old AMIs in one region (or only plans it, dry-run); an AMI still used is skipped.
async function retireInRegion(region: string, options: RetireOptions, run: CloudRun): Promise<RetireRegion> {
  const { ports, withRetry } = run;
  const latest = listParameterNames(options.recipe)[1]!;
  const images = (
    await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], tag: { key: tagKeys.recipe, value: options.recipe.name } }))
  ).filter((i) => i.tags[tagKeys.role] === "image");
  const inUse = new Map<string, string>();
  for (const i of await withRetry(() => ports.ec2.describeInstances(region, { imageIds: images.map((x) => x.imageId) })))
    if (i.state !== "terminated") inUse.set(i.imageId, `used by instance ${i.instanceId}`);
  for (const id of await withRetry(() => ports.ec2.listLaunchTemplateImageIds(region))) inUse.set(id, "used by a launch template");
  const current = await withRetry(() => ports.ssm.getParameter(region, latest));
  if (current) inUse.set(current, `${latest} points to it`);
  const plan = planRetire(images, options.keep, inUse);
  if (!options.dryRun) for (const imageId of plan.retired) await deregisterWithSnapshots(run, region, imageId);
  return { region, ...plan };
}
