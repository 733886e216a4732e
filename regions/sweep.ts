import { cleanupTemporary } from "../cloud/cleanup-temporary.ts";
import type { CloudPorts } from "../cloud/ports.ts";
import { tagKeys } from "../cloud/naming.ts";
import { callWithRetry } from "../cloud/retry.ts";
import type { Journal, JournalFile, JournalResource } from "../cloud/journal.ts";
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
export interface SweepItem {
  kind: JournalResource["kind"];
  region: string;
  id: string;
}

/** The outcome of a sweep. */
export type SweepResult = { ok: boolean; found: SweepItem[]; deleted: boolean; problems: string[] };

// Finds temporary resources by their rtcgw build tag (instances, security groups, candidate AMIs, roles, profiles, staging
// objects) and deletes them in dependency order (a role's policies go with it, the inline one of an older build's role too). Published AMIs (role `image`) are never touched.
export async function sweep(options: SweepOptions, ports: CloudPorts, signal?: AbortSignal, onProgress?: (event: { stage: "sweep"; region: string; found: number }) => void): Promise<SweepResult> {
  const retry = <T>(fn: () => Promise<T>) => callWithRetry(fn, { clock: ports.clock, signal });
  const tag = { key: tagKeys.build, ...(options.buildId ? { value: options.buildId } : {}) };
  const found: SweepItem[] = [];
  const regions = await listTargetRegions(options.regions, ports, signal);
  await Promise.all(regions.map(async (region) => {
    const items: SweepItem[] = [];
    for (const i of await retry(() => ports.ec2.describeInstances(region, { tag }))) if (i.state !== "terminated") items.push({ kind: "instance", region, id: i.instanceId });
    for (const g of await retry(() => ports.ec2.describeSecurityGroups(region, tag))) items.push({ kind: "security-group", region, id: g.groupId });
    for (const image of await retry(() => ports.ec2.describeImages(region, { owners: ["self"], tag }))) {
      if (image.tags[tagKeys.role] === "candidate" && image.tags["rtcgw:smoke"] !== "passed") items.push({ kind: "candidate-image", region, id: image.imageId });
    }
    onProgress?.({ stage: "sweep", region, found: items.length });
    found.push(...items);
  }));
  for (const role of await retry(() => ports.iam.listRoles("/rtcgw/"))) {
    if (role.tags[tagKeys.build] && (!options.buildId || role.tags[tagKeys.build] === options.buildId)) {
      found.push({ kind: "instance-profile", region: "global", id: role.name }, { kind: "role", region: "global", id: role.name });
    }
  }
  if (options.stagingBucket) {
    const region = options.stagingRegion ?? regions[0] ?? "us-east-1";
    const keys = await retry(() => ports.s3.listObjects(region, options.stagingBucket!, options.buildId ? `staging/${options.buildId}/` : "staging/")).catch(() => []);
    found.push(...keys.map((key): SweepItem => ({ kind: "s3-object", region, id: `${options.stagingBucket}/${key}` })));
  }
  if (options.dryRun || found.length === 0) return { ok: true, found, deleted: false, problems: [] };
  const problems = await cleanupTemporary(ports, inMemoryJournal(found));
  return { ok: problems.length === 0, found, deleted: true, problems };
}

// A journal that lives only in memory: the sweep reuses the cleanup that a build runs over its own journal.
function inMemoryJournal(items: SweepItem[]): JournalFile {
  let journal: Journal = { version: 1, buildId: "sweep", recipe: "", recipeVersion: "", amiName: "", sourceRegion: "", temporary: items.map((i) => ({ ...i, deleted: false })), regions: {} };
  return { path: "", read: () => journal, update: (change) => { const next = structuredClone(journal); change(next); journal = next; } };
}
