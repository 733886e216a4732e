import type { PublicAccessBlock } from "../../cloud/ports.ts";
import type { CloudRun } from "../../cloud/cloud-run.ts";
import { withRetryDefaults } from "../../cloud/retry.ts";
import { mergeArtifactAccess, type ArtifactAccess } from "./plan-artifact-access.ts";

/** The bucket's access after applying: the policy written (undefined: none) and whether it is public. */
export type AppliedAccess = { ok: true; policy: string | undefined; public: boolean } | { ok: false; error: string };

const sameBlock = (a: PublicAccessBlock | undefined, b: PublicAccessBlock) =>
  !!a &&
  a.blockPublicAcls === b.blockPublicAcls &&
  a.ignorePublicAcls === b.ignorePublicAcls &&
  a.blockPublicPolicy === b.blockPublicPolicy &&
  a.restrictPublicBuckets === b.restrictPublicBuckets;

// Writes the artifact read access into the bucket policy and keeps Block Public Access consistent with it: when the policy
// becomes public, BPA for policies is lifted first (and the policy retried while the change propagates: S3 answers AccessDenied
// meanwhile); when it stops being public, the policy goes first and BPA is restored after.
export async function applyArtifactAccess(run: CloudRun, region: string, bucket: string, access: ArtifactAccess): Promise<AppliedAccess> {
  const { ports } = run;
  const withRetry = withRetryDefaults(run.withRetry, { budgetMs: 180_000 });
  const current = await withRetry(() => ports.s3.getBucketPolicy(region, bucket));
  const change = mergeArtifactAccess(bucket, access, current);
  if (!change.ok) return change;
  const block = await withRetry(() => ports.s3.getPublicAccessBlock(region, bucket));
  const writeBlock = async () => {
    if (!sameBlock(block, change.publicAccessBlock)) await withRetry(() => ports.s3.putPublicAccessBlock(region, bucket, change.publicAccessBlock));
  };
  const writePolicy = async () => {
    if (normalize(current) !== normalize(change.policy))
      await withRetry(() => ports.s3.putBucketPolicy(region, bucket, change.policy), { retryCodes: change.public ? ["AccessDenied"] : [] });
  };
  if (change.public) {
    await writeBlock();
    await writePolicy();
  } else {
    await writePolicy();
    await writeBlock();
  }
  return { ok: true, policy: change.policy, public: change.public };
}

function normalize(policy: string | undefined): string | undefined {
  if (!policy) return undefined;
  try {
    return JSON.stringify(JSON.parse(policy));
  } catch {
    return policy;
  }
}
