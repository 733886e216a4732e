// Pre-flight: everything that would make a build or a publish fail, found read-only in every target region before anything
// is created (credentials, regions, the AMI name, block public access, the public-AMI quota, EBS encryption, S3 Block
// Public Access), reported in one list. The AWS build runs it before it builds, publish before it copies.
import type { Recipe } from "../dsl/resolve.ts";
import type { CloudPorts } from "./ports.ts";
import { withRetryDefaults, type WithRetry } from "./retry.ts";
import type { CloudRun } from "./cloud-run.ts";
import { tagKeys } from "./naming.ts";
import { artifactPrefixFor, overlapsPrivatePrefix } from "./bucket-layout.ts";
import { checkEncryptedPublish } from "./preflight-encryption.ts";
import type { PreflightProblem } from "./preflight-problem.ts";

/** The outcome of pre-flight: the account and resolved regions, or every problem at once. */
export type PreflightResult = { ok: true; account: string; regions: string[] } | { ok: false; problems: PreflightProblem[] };

/** What pre-flight checks. */
export interface PreflightInput {
  recipe: Recipe;
  sourceRegion: string;
  amiName: string;
  buildId: string;
}

const publicQuota = 5;
/** AWS caps the deprecation time of a public AMI at 2 years after its creation. */
export const publicDeprecationLimitSeconds = 730 * 86400;

// Checks credentials, regions, the AMI name, block-public-access, the public-AMI quota and EBS encryption by default in every
// target region (in parallel, read-only) and reports every problem in one list.
export async function runPreflight(input: PreflightInput, run: CloudRun): Promise<PreflightResult> {
  const { recipe, amiName, buildId } = input;
  const { ports } = run;
  const withRetry = withRetryDefaults(run.withRetry, { budgetMs: 120_000 });
  const problems: PreflightProblem[] = [];
  const isPublic = recipe.publish.visibility === "public";
  if (isPublic && recipe.image.disk.encrypted) {
    problems.push({
      code: "public-encrypted",
      message:
        "publish.visibility is `public` but image.disk.encrypted is true: public AMIs cannot have encrypted snapshots; share with `{ accounts: [...] }` or turn encryption off",
    });
  }
  if (isPublic && recipe.publish.deprecateAfter > publicDeprecationLimitSeconds) {
    problems.push({
      code: "deprecation-too-late",
      message: `publish.deprecateAfter is ${Math.round(recipe.publish.deprecateAfter / 86400)} d but a public AMI is deprecated at most 2 years (730 d) after its creation: lower publish.deprecateAfter to "730d" or less`,
    });
  }
  if (overlapsPrivatePrefix(artifactPrefixFor(recipe.name))) {
    problems.push({
      code: "artifact-prefix",
      message: `the artifacts of recipe \`${recipe.name}\` would be published under ${artifactPrefixFor(recipe.name)}, which holds private build data: rename the recipe`,
    });
  }
  let account = "";
  try {
    account = (await withRetry(() => ports.sts.getCallerIdentity())).account;
  } catch (error) {
    return {
      ok: false,
      problems: [
        ...problems,
        { code: "credentials", message: `cannot get the caller identity (check the credentials, \`--profile\`): ${(error as Error).message}` },
      ],
    };
  }
  const known = await withRetry(() => ports.ec2.describeRegions());
  const enabled = known.filter((r) => r.optInStatus !== "not-opted-in").map((r) => r.name);
  const wanted = recipe.regions === "all-enabled" ? enabled : [...new Set([input.sourceRegion, ...recipe.regions])];
  const usable: string[] = [];
  for (const region of wanted) {
    const info = known.find((r) => r.name === region);
    if (!info)
      problems.push({ region, code: "region-unknown", message: `region \`${region}\` does not exist (known: ${known.map((r) => r.name).join(", ")})` });
    else if (info.optInStatus === "not-opted-in")
      problems.push({
        region,
        code: "region-disabled",
        message: `region \`${region}\` is an opt-in region not enabled for account ${account}: enable it in the console (Account → AWS Regions) or remove it from \`regions\``,
      });
    else usable.push(region);
  }
  const perRegion = await Promise.all(
    usable.map((region) =>
      checkRegion(region, { amiName, buildId, isPublic }, ports, withRetry).catch((error: Error): PreflightProblem[] => [
        { region, code: "cloud-error", message: error.message },
      ]),
    ),
  );
  problems.push(...perRegion.flat());
  if (recipe.publish.visibility !== "private") problems.push(...(await checkEbsEncryption(recipe, input.sourceRegion, usable, ports, withRetry)));
  if (isPublic) problems.push(...(await checkAccountS3Block(input.sourceRegion, account, ports, withRetry)));
  return problems.length ? { ok: false, problems } : { ok: true, account, regions: usable };
}

async function checkRegion(
  region: string,
  input: { amiName: string; buildId: string; isPublic: boolean },
  ports: CloudPorts,
  withRetry: WithRetry,
): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const named = await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], name: input.amiName }));
  const foreign = named.find((i) => i.tags[tagKeys.build] !== input.buildId);
  if (foreign)
    problems.push({
      region,
      code: "name-taken",
      message: `AMI name \`${input.amiName}\` is already used by ${foreign.imageId} (not this build): bump \`version\` or deregister it`,
    });
  if (!input.isPublic) return problems;
  if ((await withRetry(() => ports.ec2.getImageBlockPublicAccessState(region))) === "block-new-sharing") {
    problems.push({
      region,
      code: "block-public-access",
      message: `image block public access is on in ${region}: the AMI cannot be made public; turn it off (EC2 → Data protection → Block public access for AMIs) or publish privately`,
    });
  }
  const ours = named.some((i) => i.public);
  const publicCount = (await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], publicOnly: true }))).length;
  if (!ours && publicCount >= publicQuota) {
    problems.push({
      region,
      code: "public-quota",
      message: `${publicCount} public AMIs already in ${region} (quota ${publicQuota}): run \`rtcgw retire --keep N\` or request a quota increase`,
    });
  }
  return problems;
}

// Reads EBS encryption by default and its key in every usable region (the source first), then checks the visibility against them.
async function checkEbsEncryption(
  recipe: Recipe,
  sourceRegion: string,
  regions: string[],
  ports: CloudPorts,
  withRetry: WithRetry,
): Promise<PreflightProblem[]> {
  const ordered = [...new Set([sourceRegion, ...regions])].filter((r) => regions.includes(r));
  const read = await Promise.all(
    ordered.map(async (region) => {
      try {
        return { region, defaults: await withRetry(() => ports.ec2.getEbsEncryptionDefaults(region)) };
      } catch (error) {
        return { region, error: `cannot read EBS encryption by default: ${(error as Error).message}` };
      }
    }),
  );
  const failed = read.flatMap((r): PreflightProblem[] => (r.error ? [{ region: r.region, code: "cloud-error", message: r.error }] : []));
  return [...failed, ...checkEncryptedPublish(recipe, sourceRegion, new Map(read.flatMap((r) => (r.defaults ? [[r.region, r.defaults] as const] : []))))];
}

// A public Launch-Stack template needs a public bucket policy: the account-level S3 Block Public Access must allow it.
async function checkAccountS3Block(region: string, account: string, ports: CloudPorts, withRetry: WithRetry): Promise<PreflightProblem[]> {
  try {
    const block = await withRetry(() => ports.s3.getAccountPublicAccessBlock(region, account));
    const on = block ? (["blockPublicPolicy", "restrictPublicBuckets"] as const).filter((k) => block[k]) : [];
    if (!on.length) return [];
    const names = on.map((k) => (k === "blockPublicPolicy" ? "BlockPublicPolicy" : "RestrictPublicBuckets")).join(" and ");
    return [
      {
        region,
        code: "s3-block-public-access",
        message: `S3 Block Public Access of account ${account} has ${names} on: the CloudFormation templates of a public AMI cannot be made readable by other accounts (Launch stack links would fail); turn these settings off (S3 → Block Public Access settings for this account) or publish to \`{ accounts: [...] }\``,
      },
    ];
  } catch (error) {
    return [{ region, code: "cloud-error", message: `cannot read the account's S3 Block Public Access: ${(error as Error).message}` }];
  }
}
