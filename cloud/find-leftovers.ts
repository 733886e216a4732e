// What rtcgw builds left in the cloud, found by their `rtcgw:build` tag (and the role path `/rtcgw/`): the one place
// that knows which tagged resources are temporary. `sweep` deletes what it finds; a build looks for its own before it
// starts, so that a rerun after a crash (when the journal missed a resource made just before the kill) starts clean.
// Images that passed their smoke test (and published copies) are never leftovers; snapshots are, once no image of the
// account uses them (a process killed between DeregisterImage and DeleteSnapshot), and volumes attached to nothing.
import { isSmokeTested, tagKeys } from "./naming.ts";
import type { CloudRun } from "./cloud-run.ts";
import type { JournalResource } from "./journal.ts";

/** A leftover resource, as the journal would list it. */
export type Leftover = Omit<JournalResource, "deleted">;

/** Where to look. */
export interface LeftoverQuery {
  regions: readonly string[];
  /** One build's leftovers; omitted: every rtcgw build's. */
  buildId?: string | undefined;
  /** Also `staging/` objects in this bucket (in `stagingRegion`, else the first region). */
  stagingBucket?: string | undefined;
  stagingRegion?: string | undefined;
}

// Finds leftovers in every region (in parallel, read-only); `onRegion` hears how many each region holds.
export async function findLeftovers(run: CloudRun, query: LeftoverQuery, onRegion?: (region: string, found: number) => void): Promise<Leftover[]> {
  const { ports, withRetry } = run;
  const tag = { key: tagKeys.build, ...(query.buildId ? { value: query.buildId } : {}) };
  const found: Leftover[] = [];
  await Promise.all(
    query.regions.map(async (region) => {
      const items: Leftover[] = [];
      for (const i of await withRetry(() => ports.ec2.describeInstances(region, { tag })))
        if (i.state !== "terminated") items.push({ kind: "instance", region, id: i.instanceId });
      for (const g of await withRetry(() => ports.ec2.describeSecurityGroups(region, tag))) items.push({ kind: "security-group", region, id: g.groupId });
      for (const image of await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], tag }))) {
        if (image.tags[tagKeys.role] === "candidate" && !isSmokeTested(image.tags)) items.push({ kind: "candidate-image", region, id: image.imageId });
      }
      const ownImages = await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"] }));
      const used = new Set(ownImages.filter((i) => i.state !== "deregistered").flatMap((i) => i.snapshotIds));
      for (const s of await withRetry(() => ports.ec2.describeSnapshots(region, tag)))
        if (!used.has(s.snapshotId)) items.push({ kind: "snapshot", region, id: s.snapshotId });
      for (const v of await withRetry(() => ports.ec2.describeVolumes(region, tag)))
        if (v.state === "available") items.push({ kind: "volume", region, id: v.volumeId });
      onRegion?.(region, items.length);
      found.push(...items);
    }),
  );
  for (const role of await withRetry(() => ports.iam.listRoles("/rtcgw/"))) {
    if (role.tags[tagKeys.build] && (!query.buildId || role.tags[tagKeys.build] === query.buildId)) {
      found.push({ kind: "instance-profile", region: "global", id: role.name }, { kind: "role", region: "global", id: role.name });
    }
  }
  if (query.stagingBucket) {
    const region = query.stagingRegion ?? query.regions[0] ?? "us-east-1";
    const keys = await withRetry(() => ports.s3.listObjects(region, query.stagingBucket!, query.buildId ? `staging/${query.buildId}/` : "staging/")).catch(
      () => [],
    );
    found.push(...keys.map((key): Leftover => ({ kind: "s3-object", region, id: `${query.stagingBucket}/${key}` })));
  }
  return found;
}
