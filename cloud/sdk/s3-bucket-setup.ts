import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketTaggingCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  type LifecycleRule,
  type Tag,
} from "@aws-sdk/client-s3";
import { CloudError, type BucketSetup, type ExpiryRule } from "../ports.ts";

type Send = <T>(region: string, command: unknown) => Promise<T>;

// An expiry rule as S3 lifecycle rule (incomplete multipart uploads under the prefix are aborted after as many days).
export function toLifecycleRule(rule: ExpiryRule): LifecycleRule {
  return {
    ID: rule.id,
    Status: "Enabled",
    Filter: { Prefix: rule.prefix },
    Expiration: { Days: rule.days },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: rule.days },
  };
}

async function readOr<T>(call: () => Promise<T>, missingCode: string, fallback: T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloudError && error.code === missingCode) return fallback;
    throw error;
  }
}

// Brings an existing bucket up to rtcgw's setup: adds the expiry rules and tags it lacks (by rule id and tag key),
// keeps every other rule and tag as it is, and writes nothing when nothing is missing.
export async function completeBucketSetup(send: Send, region: string, bucket: string, setup: BucketSetup): Promise<void> {
  const rules = await readOr(
    async () => (await send<{ Rules?: LifecycleRule[] }>(region, new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }))).Rules ?? [],
    "NoSuchLifecycleConfiguration",
    [] as LifecycleRule[],
  );
  const missingRules = setup.expiry.filter((r) => !rules.some((x) => x.ID === r.id));
  if (missingRules.length) {
    await send(
      region,
      new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: [...rules, ...missingRules.map(toLifecycleRule)] } }),
    );
  }
  const tags = await readOr(
    async () => (await send<{ TagSet?: Tag[] }>(region, new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet ?? [],
    "NoSuchTagSet",
    [] as Tag[],
  );
  const missingTags = Object.entries(setup.tags).filter(([key]) => !tags.some((t) => t.Key === key));
  if (missingTags.length) {
    await send(region, new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [...tags, ...missingTags.map(([Key, Value]) => ({ Key, Value }))] } }));
  }
}
