import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Recipe } from "../../dsl/resolve.ts";
import type { CloudRun } from "../../cloud/cloud-run.ts";
import { bucketSetupFor } from "../../cloud/bucket-layout.ts";
import { applyArtifactAccess } from "./apply-artifact-access.ts";
import type { Journal } from "../../cloud/journal.ts";
import type { PublishPlan } from "../plan-publish.ts";
import { renderClusterTemplate } from "./cluster-template.ts";
import { formatS3Url } from "./console-links.ts";
import { renderGoPage } from "./render-go-page.ts";
import type { CapacityRow } from "./capacity-advice.ts";
import { renderManifest } from "./render-manifest.ts";
import { renderSingleInstanceTemplate } from "./single-instance-template.ts";

/** Where the published artifacts are. */
export interface PublishedArtifacts {
  bucket: string;
  urls: { manifest: string; single: string; cluster: string; goPage: string };
  files: Record<string, string>;
  /** Who can read the artifacts (`prefix`), and whether the bucket policy is public. */
  access: { readers: PublishPlan["artifacts"]["access"]["readers"]; prefix: string; publicPolicy: boolean };
}

// Renders manifest.json, both CloudFormation templates and the go page for the published regions, uploads what changed to S3
// and, when `outDir` is given, writes them there too.
export async function publishArtifacts(input: {
  recipe: Recipe;
  plan: PublishPlan;
  journal: Journal;
  run: CloudRun;
  outDir?: string | undefined;
  capacity?: CapacityRow[] | undefined;
}): Promise<PublishedArtifacts> {
  const { recipe, plan, journal, run } = input;
  const { ports, withRetry } = run;
  const { bucket, region, keys } = plan.artifacts;
  const published = Object.entries(journal.regions).filter(([, e]) => e.status === "published" && e.imageId);
  const images = Object.fromEntries(published.map(([r, e]) => [r, e.imageId!]));
  const urls = {
    manifest: formatS3Url(bucket, region, keys.manifest),
    single: formatS3Url(bucket, region, keys.single),
    cluster: formatS3Url(bucket, region, keys.cluster),
    goPage: formatS3Url(bucket, region, keys.goPage),
  };
  const files: Record<string, string> = {
    [keys.manifest]: `${JSON.stringify(renderManifest(journal), null, 2)}\n`,
    [keys.single]: `${JSON.stringify(renderSingleInstanceTemplate(recipe, images), null, 2)}\n`,
    [keys.cluster]: `${JSON.stringify(renderClusterTemplate(recipe, images), null, 2)}\n`,
  };
  if (recipe.publish.goPage !== false) {
    files[keys.goPage] = renderGoPage({
      recipe,
      buildId: plan.buildId,
      owner: journal.account ?? "",
      templateUrls: urls,
      ...(input.capacity ? { capacity: input.capacity } : {}),
      regions: published.map(([r, e]) => ({ region: r, imageId: e.imageId!, deprecationTime: e.deprecationTime })),
    });
  }
  await withRetry(() => ports.s3.ensureBucket(region, bucket, bucketSetupFor(bucket)));
  for (const [key, content] of Object.entries(files)) {
    const current = await withRetry(() => ports.s3.getObject(region, bucket, key));
    if (current && Buffer.from(current).toString("utf8") === content) continue;
    const type = key.endsWith(".html") ? "text/html; charset=utf-8" : "application/json";
    await withRetry(() => ports.s3.putObject(region, bucket, key, content, type));
  }
  if (input.outDir) {
    for (const [key, content] of Object.entries(files)) {
      const path = join(input.outDir, key.split("/").pop()!);
      mkdirSync(input.outDir, { recursive: true });
      writeFileSync(path, content);
    }
  }
  const applied = await applyArtifactAccess(run, region, bucket, plan.artifacts.access);
  if (!applied.ok) throw new Error(`cannot share the artifacts: ${applied.error}`);
  return { bucket, urls, files, access: { readers: plan.artifacts.access.readers, prefix: plan.artifacts.access.prefix, publicPolicy: applied.public } };
}
