import type { Recipe } from "../dsl/resolve.ts";
import { CloudError, type ImageRecord } from "../cloud/ports.ts";
import type { CloudRun } from "../cloud/cloud-run.ts";
import { buildTags, clientTokenFor, tagKeys } from "../cloud/naming.ts";
import { waitFor } from "../cloud/wait.ts";
import { updateRegion, type JournalFile } from "../cloud/journal.ts";
import type { PublishPlan, RegionPlan } from "./plan-publish.ts";
import { createStepRunner } from "../io/steps.ts";

/** The steps of one region (stage `publish`, with the region): copy until available, share, set the SSM parameters. */
export type RegionStep = "copy" | "share" | "parameters";

/** What distributing needs besides the plan: the publish run (its `onProgress` hears each region's step events; a copy
 * reports `running` with the image's state at each poll), the recipe, the journal and the source image. */
export interface DistributeContext extends CloudRun {
  recipe: Recipe;
  journal: JournalFile;
  sourceImageId: string;
  /** When the run started, for the events' `elapsedMs`. @default when the region starts */
  started?: number;
  /** Time allowed for one copy (also for a free copy slot in its region). @default 3 h */
  copyBudgetMs?: number;
}

/** The end state of one region. */
export interface RegionOutcome {
  region: string;
  ok: boolean;
  imageId?: string;
  error?: string;
}

// Copies, shares, deprecates and records parameters in every planned region in parallel (one copy per region: EC2's limit
// of concurrent copies into a region is met by waiting for a slot, obtainImage); a failing region does not stop the others.
export async function distributeImage(plan: PublishPlan, ctx: DistributeContext): Promise<RegionOutcome[]> {
  const pending = plan.regions.filter((r) => r.action !== "done");
  const done = plan.regions
    .filter((r) => r.action === "done")
    .map((r): RegionOutcome => ({ region: r.region, ok: true, imageId: ctx.journal.read().regions[r.region]?.imageId ?? "" }));
  const outcomes = await Promise.all(pending.map((r) => finishRegion(plan, r, ctx)));
  return [...done, ...outcomes];
}

async function finishRegion(plan: PublishPlan, rp: RegionPlan, ctx: DistributeContext): Promise<RegionOutcome> {
  const { ports, journal, signal, withRetry } = ctx;
  const { region } = rp;
  const now = () => ports.clock.now();
  const steps = createStepRunner<RegionStep>({ stage: "publish", first: "copy", region, now, started: ctx.started ?? now(), onProgress: ctx.onProgress });
  try {
    const { imageId, image } = await steps.run("copy", async () => {
      const imageId = await obtainImage(plan, rp, ctx);
      const image = await waitFor(
        async () => {
          const [found] = await withRetry(() => ports.ec2.describeImages(region, { imageIds: [imageId] }), { retryCodes: ["InvalidAMIID.NotFound"] });
          steps.running(`${imageId} ${found?.state ?? "not visible yet"}`);
          if (found?.state === "failed") throw new CloudError("CopyFailed", found.stateReason ?? "the copy failed");
          return found?.state === "available" ? found : undefined;
        },
        { clock: ports.clock, what: `the copy in ${region}`, budgetMs: ctx.copyBudgetMs ?? 3 * 3600_000, intervalMs: 30_000, signal },
      );
      updateRegion(journal, region, { status: "available", snapshotIds: image.snapshotIds, creationDate: image.creationDate });
      return { imageId, image };
    });
    await steps.run("share", async () => {
      const deprecationTime = await shareImage(plan, region, image, ctx);
      updateRegion(journal, region, { status: "shared", deprecationTime });
    });
    await steps.run("parameters", async () => {
      for (const name of rp.parameters) {
        if ((await withRetry(() => ports.ssm.getParameter(region, name))) === imageId) continue;
        await withRetry(() => ports.ssm.putParameter(region, { name, value: imageId, dataType: "aws:ec2:image", tags: {} }));
      }
      updateRegion(journal, region, { status: "published" });
    });
    return { region, ok: true, imageId };
  } catch (error) {
    if (signal?.aborted) throw error;
    const message = (error as Error).message;
    await discardFailedCopy(region, ctx).catch(() => undefined);
    updateRegion(journal, region, { status: "failed", error: message, failedAttempts: (journal.read().regions[region]?.failedAttempts ?? 0) + 1 });
    return { region, ok: false, error: message };
  }
}

// The region's image: the source itself, a recorded copy, a copy found by its build tag, or a new CopyImage (ClientToken per build, region and attempt).
async function obtainImage(plan: PublishPlan, rp: RegionPlan, ctx: DistributeContext): Promise<string> {
  const { ports, journal, recipe, withRetry } = ctx;
  const { region } = rp;
  if (rp.action === "source") {
    updateRegion(journal, region, { status: "copying", imageId: ctx.sourceImageId });
    return ctx.sourceImageId;
  }
  const entry = journal.read().regions[region];
  if (entry?.imageId && entry.status !== "failed") return entry.imageId;
  const tagged = await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], tag: { key: tagKeys.build, value: plan.buildId } }));
  const reusable = tagged.find((i) => i.state !== "failed" && i.tags[tagKeys.role] === "image");
  if (reusable) {
    updateRegion(journal, region, { status: "copying", imageId: reusable.imageId });
    return reusable.imageId;
  }
  const attempt = entry?.failedAttempts ?? 0;
  const tags = {
    ...buildTags({ buildId: plan.buildId, recipe: recipe.name, version: recipe.version, role: "image", name: plan.amiName }),
    [tagKeys.build]: plan.buildId,
    [tagKeys.smoke]: "passed",
  };
  // ResourceLimitExceeded: the region has as many copies in flight as EC2 allows; one of them ends within the copy budget.
  const imageId = await withRetry(
    () =>
      ports.ec2.copyImage(region, {
        sourceRegion: plan.sourceRegion,
        sourceImageId: ctx.sourceImageId,
        name: plan.amiName,
        description: `${recipe.name} ${recipe.version} (rtcgw build ${plan.buildId.slice(0, 12)})`,
        clientToken: clientTokenFor(plan.buildId, region, `copy#${attempt}`),
        tags,
      }),
    { retryCodes: ["ResourceLimitExceeded"], maxBackoffMs: 60_000, budgetMs: ctx.copyBudgetMs ?? 3 * 3600_000 },
  ).catch((error: unknown) =>
    Promise.reject(
      error instanceof CloudError && error.code === "ResourceLimitExceeded"
        ? new CloudError(
            error.code,
            `no copy slot in ${region} within the copy budget: ${error.message} Wait for copies into ${region} to finish, then run \`rtcgw publish --resume\``,
          )
        : error,
    ),
  );
  updateRegion(journal, region, { status: "copying", imageId, error: undefined });
  return imageId;
}

// IMDSv2 only (a copy does not inherit it from the source), launch permissions (public, or accounts with their snapshots)
// and the deprecation time; returns the deprecation time.
async function shareImage(plan: PublishPlan, region: string, image: ImageRecord, ctx: DistributeContext): Promise<string> {
  const { ports, withRetry } = ctx;
  if (image.imdsSupport !== "v2.0") await withRetry(() => ports.ec2.requireImdsV2(region, image.imageId));
  const visibility = plan.visibility;
  if (visibility === "public" && !image.public) await withRetry(() => ports.ec2.shareImage(region, image.imageId, { public: true }));
  if (typeof visibility === "object") {
    const missing = visibility.accounts.filter((a) => !image.launchAccounts.includes(a));
    if (missing.length) await withRetry(() => ports.ec2.shareImage(region, image.imageId, { accounts: missing }));
    for (const snapshotId of image.snapshotIds) await withRetry(() => ports.ec2.shareSnapshot(region, snapshotId, visibility.accounts));
  }
  const at = new Date(Date.parse(image.creationDate) + plan.deprecateAfterSeconds * 1000);
  at.setUTCSeconds(0, 0);
  if (image.deprecationTime !== at.toISOString()) await withRetry(() => ports.ec2.deprecateImage(region, image.imageId, at));
  return at.toISOString();
}

// A failed copy leaves an image in state `failed`: deregister it and its snapshots so a retry starts clean.
async function discardFailedCopy(region: string, ctx: DistributeContext): Promise<void> {
  const { withRetry } = ctx;
  const entry = ctx.journal.read().regions[region];
  if (!entry?.imageId || entry.imageId === ctx.sourceImageId) return;
  const [image] = await withRetry(() => ctx.ports.ec2.describeImages(region, { imageIds: [entry.imageId!] }));
  if (image?.state !== "failed") return;
  await withRetry(() => ctx.ports.ec2.deregisterImage(region, image.imageId));
  for (const snapshotId of image.snapshotIds) await withRetry(() => ctx.ports.ec2.deleteSnapshot(region, snapshotId));
}
