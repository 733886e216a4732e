import type { Recipe } from "../dsl/resolve.ts";
import type { Journal } from "../cloud/journal.ts";
import { artifactPrefixFor } from "../cloud/bucket-layout.ts";
import { planArtifactAccess, type ArtifactAccess } from "./artifacts/plan-artifact-access.ts";

/** What happens in one region. */
export interface RegionPlan {
  region: string;
  /** `source`: the built image lives here; `copy`: CopyImage; `resume`: a copy is recorded, finish it; `done`: nothing left. */
  action: "source" | "copy" | "resume" | "done";
  parameters: string[];
}

/** Everything a publish run will do, as data (`--dry-run` prints it). */
export interface PublishPlan {
  buildId: string;
  amiName: string;
  sourceRegion: string;
  visibility: Recipe["publish"]["visibility"];
  deprecateAfterSeconds: number;
  regions: RegionPlan[];
  artifacts: { bucket: string; region: string; keys: { manifest: string; single: string; cluster: string; goPage: string }; access: ArtifactAccess };
}

/** The inputs of a publish plan. */
export interface PlanPublishInput {
  recipe: Recipe;
  buildId: string;
  amiName: string;
  sourceRegion: string;
  regions: readonly string[];
  artifactBucket: string;
  journal?: Journal | undefined;
}

// The versioned and the `latest` parameter names of a recipe, in the order they are written.
export function listParameterNames(recipe: Recipe): string[] {
  const prefix = recipe.publish.ssmPrefix.replace(/\/$/, "");
  return [`${prefix}/${recipe.version}/ami-id`, `${prefix}/latest`];
}

// Decides, per region, what is left to do, from the target regions and the journal of an earlier run.
export function planPublish(input: PlanPublishInput): PublishPlan {
  const { recipe, journal } = input;
  const base = `${recipe.name}/${recipe.version}`;
  const regions = [input.sourceRegion, ...[...input.regions].filter((r) => r !== input.sourceRegion).sort()].map((region): RegionPlan => {
    const entry = journal?.buildId === input.buildId ? journal.regions[region] : undefined;
    const action =
      entry?.status === "published" ? "done" : region === input.sourceRegion ? "source" : entry?.imageId && entry.status !== "failed" ? "resume" : "copy";
    return { region, action, parameters: action === "done" ? [] : listParameterNames(recipe) };
  });
  return {
    buildId: input.buildId,
    amiName: input.amiName,
    sourceRegion: input.sourceRegion,
    visibility: recipe.publish.visibility,
    deprecateAfterSeconds: recipe.publish.deprecateAfter,
    regions,
    artifacts: {
      bucket: input.artifactBucket,
      region: input.sourceRegion,
      access: planArtifactAccess(recipe.publish.visibility, artifactPrefixFor(recipe.name)),
      keys: {
        manifest: `${base}/manifest.json`,
        single: `${base}/single-instance.template.json`,
        cluster: `${base}/cluster.template.json`,
        goPage: `${base}/index.html`,
      },
    },
  };
}

// Renders a plan for `--dry-run`.
export function formatPlan(plan: PublishPlan): string {
  const visibility = typeof plan.visibility === "string" ? plan.visibility : `accounts ${plan.visibility.accounts.join(", ")}`;
  const lines = [
    `publish ${plan.amiName} (build ${plan.buildId.slice(0, 12)}), ${visibility}, deprecated after ${Math.round(plan.deprecateAfterSeconds / 86400)} d`,
  ];
  for (const r of plan.regions) lines.push(`  ${r.region.padEnd(16)} ${r.action.padEnd(7)} ${r.parameters.join(", ")}`);
  lines.push(`  artifacts → s3://${plan.artifacts.bucket}/${Object.values(plan.artifacts.keys).join(", ")}`);
  const { access } = plan.artifacts;
  const readers =
    access.readers === "everyone"
      ? "everyone (bucket policy s3:GetObject; the bucket's Block Public Access for policies is turned off)"
      : access.readers === "accounts"
        ? `accounts ${access.accounts.join(", ")} (bucket policy s3:GetObject)`
        : "the owner only (no bucket policy)";
  lines.push(`  s3://${plan.artifacts.bucket}/${access.prefix}* readable by ${readers}; staging/ and logs/ stay private`);
  return lines.join("\n");
}
