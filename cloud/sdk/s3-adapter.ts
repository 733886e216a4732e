import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
  type PublicAccessBlockConfiguration,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { CloudError, type PublicAccessBlock, type S3Port } from "../ports.ts";
import { clientConfig, mapSdkError, perRegion, toTagList, type SdkOptions } from "./client-options.ts";
import { completeBucketSetup, toLifecycleRule } from "./s3-bucket-setup.ts";
import { getAccountPublicAccessBlock } from "./s3-control-adapter.ts";

// The S3 port over real SDK v3 clients (path-style when an endpoint override is set).
export function createS3Adapter(options: SdkOptions): S3Port {
  const s3 = perRegion((region) => new S3Client({ ...clientConfig(options, region), forcePathStyle: Boolean(options.endpoint) }));
  // Presigned PUTs come from clients that add no checksum: with the default (WHEN_SUPPORTED) the presigner puts the CRC32 of
  // an empty body into the URL (x-amz-checksum-crc32=AAAAAA==) and S3 then refuses any real upload with BadDigest.
  const presigner = perRegion(
    (region) => new S3Client({ ...clientConfig(options, region), forcePathStyle: Boolean(options.endpoint), requestChecksumCalculation: "WHEN_REQUIRED" }),
  );
  const send = <T>(region: string, command: unknown) => mapSdkError(() => s3(region).send(command as never) as Promise<T>);
  return {
    async ensureBucket(region, bucket, setup) {
      try {
        await send(region, new HeadBucketCommand({ Bucket: bucket }));
        return await completeBucketSetup(send, region, bucket, setup);
      } catch (error) {
        if (!(error instanceof CloudError) || !["NotFound", "NoSuchBucket"].includes(error.code)) throw error;
      }
      const location = region === "us-east-1" ? {} : { LocationConstraint: region as BucketLocationConstraint };
      await send(region, new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { ...location, Tags: toTagList(setup.tags) } }));
      await send(region, new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: setup.expiry.map(toLifecycleRule) } }));
    },
    async putObject(region, bucket, key, body, contentType) {
      await send(region, new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async getObject(region, bucket, key) {
      try {
        const out = await send<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>(region, new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToByteArray();
      } catch (error) {
        if (error instanceof CloudError && ["NoSuchKey", "NotFound"].includes(error.code)) return undefined;
        throw error;
      }
    },
    async listObjects(region, bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await send<{ Contents?: { Key?: string }[]; NextContinuationToken?: string }>(
          region,
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(out.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : [])));
        token = out.NextContinuationToken;
      } while (token);
      return keys;
    },
    async deleteObject(region, bucket, key) {
      await send(region, new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    presignGet: (region, bucket, key, expiresSeconds) =>
      getSignedUrl(s3(region), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresSeconds }),
    presignPut: (region, bucket, key, expiresSeconds) =>
      getSignedUrl(presigner(region), new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresSeconds }),
    async getBucketPolicy(region, bucket) {
      try {
        return (await send<{ Policy?: string }>(region, new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
      } catch (error) {
        if (error instanceof CloudError && error.code === "NoSuchBucketPolicy") return undefined;
        throw error;
      }
    },
    async putBucketPolicy(region, bucket, policy) {
      if (policy === undefined) await send(region, new DeleteBucketPolicyCommand({ Bucket: bucket }));
      else await send(region, new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    },
    async getPublicAccessBlock(region, bucket) {
      try {
        const out = await send<{ PublicAccessBlockConfiguration?: PublicAccessBlockConfiguration }>(
          region,
          new GetPublicAccessBlockCommand({ Bucket: bucket }),
        );
        return out.PublicAccessBlockConfiguration ? fromBlockConfiguration(out.PublicAccessBlockConfiguration) : undefined;
      } catch (error) {
        if (error instanceof CloudError && error.code === "NoSuchPublicAccessBlockConfiguration") return undefined;
        throw error;
      }
    },
    async putPublicAccessBlock(region, bucket, block) {
      await send(
        region,
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: block.blockPublicAcls,
            IgnorePublicAcls: block.ignorePublicAcls,
            BlockPublicPolicy: block.blockPublicPolicy,
            RestrictPublicBuckets: block.restrictPublicBuckets,
          },
        }),
      );
    },
    getAccountPublicAccessBlock: (region, accountId) => getAccountPublicAccessBlock(s3(region), options, region, accountId),
  };
}

// Reads an S3 PublicAccessBlockConfiguration (a missing flag is off).
export function fromBlockConfiguration(c: PublicAccessBlockConfiguration): PublicAccessBlock {
  return {
    blockPublicAcls: c.BlockPublicAcls ?? false,
    ignorePublicAcls: c.IgnorePublicAcls ?? false,
    blockPublicPolicy: c.BlockPublicPolicy ?? false,
    restrictPublicBuckets: c.RestrictPublicBuckets ?? false,
  };
}
