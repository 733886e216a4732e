import { CloudError } from "./ports.ts";
import { withRetryDefaults } from "./retry.ts";
import type { CloudRun } from "./cloud-run.ts";
import { waitFor } from "./wait.ts";
import { markDeleted, type Journal, type JournalFile, type JournalResource } from "./journal.ts";
import { isSmokeTested } from "./naming.ts";

// Deletes every temporary resource the journal lists and has not deleted yet: instances first (waiting until terminated),
// then security groups and instance profiles, then roles (IAM refuses to delete a role that still has a profile; the port's
// deleteRole removes the role's policies first), staging objects, candidate images and volumes, then orphaned snapshots. Runs to the end even if some deletions fail.
export async function cleanupTemporary(run: CloudRun, journal: JournalFile, budgetMs = 20 * 60_000): Promise<string[]> {
  const { ports } = run;
  const problems: string[] = [];
  const withRetry = withRetryDefaults(run.withRetryToEnd, { budgetMs });
  const live = () => journal.read().temporary.filter((r) => !r.deleted);
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  };
  const instances = live().filter((r) => r.kind === "instance");
  await Promise.all(
    instances.map((r) =>
      attempt(`terminate ${r.id}`, async () => {
        await withRetry(() => ports.ec2.terminateInstance(r.region, r.id).catch(ignoreNotFound), { retryCodes: ["InvalidInstanceID.NotFound"] });
        await waitFor(
          async () => {
            const [found] = await withRetry(() =>
              ports.ec2.describeInstances(r.region, { instanceIds: [r.id] }).catch((e) => (isNotFound(e) ? [] : Promise.reject(e))),
            );
            return !found || found.state === "terminated" ? true : undefined;
          },
          { clock: ports.clock, what: `instance ${r.id} to terminate`, budgetMs, intervalMs: 10_000 },
        );
        markDeleted(journal, "instance", r.id);
      }),
    ),
  );
  for (const r of live()) {
    if (r.kind === "command")
      await attempt(
        `cancel ${r.id}`,
        async () => void (await ports.ssm.cancelCommand(r.region, r.id).catch(() => undefined), markDeleted(journal, "command", r.id)),
      );
    if (r.kind === "security-group")
      await attempt(
        `delete ${r.id}`,
        async () =>
          void (
            await withRetry(() => ports.ec2.deleteSecurityGroup(r.region, r.id).catch(ignoreNotFound), { retryCodes: ["DependencyViolation"] }),
            markDeleted(journal, "security-group", r.id)
          ),
      );
    if (r.kind === "instance-profile")
      await attempt(
        `delete instance profile ${r.id}`,
        async () => void (await withRetry(() => ports.iam.deleteInstanceProfile(r.id, r.id)), markDeleted(journal, "instance-profile", r.id)),
      );
  }
  for (const r of live()) {
    if (r.kind === "role")
      await attempt(
        `delete role ${r.id}`,
        async () => void (await withRetry(() => ports.iam.deleteRole(r.id), { retryCodes: ["DeleteConflict"] }), markDeleted(journal, "role", r.id)),
      );
    if (r.kind === "s3-object") {
      const [bucket, ...key] = r.id.split("/");
      await attempt(
        `delete s3://${r.id}`,
        async () => void (await withRetry(() => ports.s3.deleteObject(r.region, bucket!, key.join("/"))), markDeleted(journal, "s3-object", r.id)),
      );
    }
    if (r.kind === "candidate-image")
      await attempt(`deregister ${r.id}`, async () => void (await deregisterCandidate(run, r.region, r.id), markDeleted(journal, "candidate-image", r.id)));
    if (r.kind === "volume")
      await attempt(
        `delete volume ${r.id}`,
        async () =>
          void (
            await withRetry(() => ports.ec2.deleteVolume(r.region, r.id).catch(ignoreNotFound), { retryCodes: ["VolumeInUse"] }),
            markDeleted(journal, "volume", r.id)
          ),
      );
  }
  // Snapshots last: an image deregistered above frees its snapshots.
  for (const r of live()) {
    if (r.kind === "snapshot")
      await attempt(
        `delete snapshot ${r.id}`,
        async () => void (await withRetry(() => ports.ec2.deleteSnapshot(r.region, r.id).catch(ignoreNotFoundOrInUse)), markDeleted(journal, "snapshot", r.id)),
      );
  }
  return problems;
}

// Deletes resources no journal lists (found by their tags): the same cleanup, over a journal that lives only in memory.
export async function cleanupLeftovers(run: CloudRun, items: readonly Omit<JournalResource, "deleted">[]): Promise<string[]> {
  let journal: Journal = {
    version: 1,
    buildId: "leftovers",
    recipe: "",
    recipeVersion: "",
    amiName: "",
    sourceRegion: "",
    temporary: items.map((i) => ({ ...i, deleted: false })),
    regions: {},
  };
  return cleanupTemporary(run, {
    path: "",
    read: () => journal,
    update: (change) => {
      const next = structuredClone(journal);
      change(next);
      journal = next;
    },
  });
}

// A candidate image is deregistered with its snapshots, unless it passed its smoke test: then it is the build's image (a
// crash came between the tag and the journal's note), no longer temporary.
async function deregisterCandidate(run: CloudRun, region: string, imageId: string): Promise<void> {
  const { ports, withRetryToEnd: withRetry } = run;
  const [image] = await withRetry(() => ports.ec2.describeImages(region, { imageIds: [imageId] }).catch((e) => (isNotFound(e) ? [] : Promise.reject(e))));
  if (image && !isSmokeTested(image.tags)) await deregisterWithSnapshots(run, region, imageId);
}

// Deregisters an image and deletes its snapshots (a failed candidate, a retired AMI).
export async function deregisterWithSnapshots(run: CloudRun, region: string, imageId: string): Promise<void> {
  const { ports, withRetryToEnd: withRetry } = run;
  const [image] = await withRetry(() => ports.ec2.describeImages(region, { imageIds: [imageId] }).catch((e) => (isNotFound(e) ? [] : Promise.reject(e))));
  if (!image) return;
  await withRetry(() => ports.ec2.deregisterImage(region, imageId));
  for (const snapshotId of image.snapshotIds) await withRetry(() => ports.ec2.deleteSnapshot(region, snapshotId).catch(ignoreNotFound));
}

function isNotFound(error: unknown): boolean {
  return error instanceof CloudError && /NotFound|NoSuch/.test(error.code);
}

// A journaled snapshot an image still uses is that image's (a disk build killed after its smoke check passed): no longer
// temporary; a candidate image's snapshots went with it above.
async function ignoreNotFoundOrInUse(error: unknown): Promise<void> {
  if (!(error instanceof CloudError && error.code === "InvalidSnapshot.InUse")) await ignoreNotFound(error);
}

async function ignoreNotFound(error: unknown): Promise<void> {
  if (!isNotFound(error)) throw error;
}
