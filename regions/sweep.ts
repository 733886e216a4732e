import { cleanupLeftovers } from "../cloud/cleanup-temporary.ts";
import { findLeftovers, type Leftover } from "../cloud/find-leftovers.ts";
import type { CloudPorts } from "../cloud/ports.ts";
import { listTargetRegions } from "./list-target-regions.ts";

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
export async function sweep(
  options: SweepOptions,
  ports: CloudPorts,
  signal?: AbortSignal,
  onProgress?: (event: { stage: "sweep"; region: string; found: number }) => void,
): Promise<SweepResult> {
  const regions = await listTargetRegions(options.regions, ports, signal);
  const found = await findLeftovers(
    ports,
    { regions, buildId: options.buildId, stagingBucket: options.stagingBucket, stagingRegion: options.stagingRegion },
    signal,
    (region, n) => onProgress?.({ stage: "sweep", region, found: n }),
  );
  if (options.dryRun || found.length === 0) return { ok: true, found, deleted: false, problems: [] };
  const problems = await cleanupLeftovers(ports, found);
  return { ok: problems.length === 0, found, deleted: true, problems };
}
