import { cleanupLeftovers } from "../cloud/cleanup-temporary.ts";
import { findLeftovers, type Leftover } from "../cloud/find-leftovers.ts";
import type { CloudPorts } from "../cloud/ports.ts";
import { startCloudRun } from "../cloud/cloud-run.ts";
import { listTargetRegions } from "./list-target-regions.ts";
import { createStepRunner, type ProgressListener } from "../io/steps.ts";

/** What `sweep` looks for. */
export interface SweepOptions {
  regions: readonly string[] | "all-enabled";
  /** Only this build's leftovers; omit to sweep every rtcgw build (make sure none is running). */
  buildId?: string;
  /** Also delete `staging/` objects in this bucket. */
  stagingBucket?: string;
  stagingRegion?: string;
  dryRun?: boolean;
}

/** A leftover found (and deleted unless dry-run). */
export type SweepItem = Leftover;

/** The outcome of a sweep. */
export type SweepResult = { ok: boolean; found: SweepItem[]; deleted: boolean; problems: string[] };

// Finds temporary resources by their rtcgw build tag (cloud/find-leftovers.ts) and deletes them in dependency order (a
// role's policies go with it, the inline one of an older build's role too). Published AMIs are never touched.
export async function sweep(options: SweepOptions, ports: CloudPorts, signal?: AbortSignal, onProgress?: ProgressListener): Promise<SweepResult> {
  const run = startCloudRun(ports, { signal, onProgress });
  const now = () => ports.clock.now();
  const started = now();
  const steps = createStepRunner<"find" | "delete">({ stage: "sweep", first: "find", now, started, onProgress });
  const found = await steps.run(
    "find",
    async () =>
      findLeftovers(
        run,
        {
          regions: await listTargetRegions(options.regions, run),
          buildId: options.buildId,
          stagingBucket: options.stagingBucket,
          stagingRegion: options.stagingRegion,
        },
        (region, n) => onProgress?.({ stage: "sweep", step: "find", state: "done", region, elapsedMs: now() - started, detail: `${n} found` }),
      ),
    (all) => `${all.length} found`,
  );
  if (options.dryRun || found.length === 0) return { ok: true, found, deleted: false, problems: [] };
  const problems = await steps.run(
    "delete",
    () => cleanupLeftovers(run, found),
    (p) => (p.length ? `${p.length} problem(s)` : `${found.length} deleted`),
  );
  return { ok: problems.length === 0, found, deleted: true, problems };
}
