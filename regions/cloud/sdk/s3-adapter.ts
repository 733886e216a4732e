import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { CloudError, type S3Port } from "../ports.ts";
import { clientConfig, mapSdkError, perRegion, type SdkOptions } from "./client-options.ts";

// The S3 port over real SDK v3 clients (path-style when an endpoint override is set).
export function createS3Adapter(options: SdkOptions): S3Port {
  const s3 = perRegion((region) => new S3Client({ ...clientConfig(options, region), forcePathStyle: Boolean(options.endpoint) }));
  const send = <T>(region: string, command: unknown) => mapSdkError(() => s3(region).send(command as never) as Promise<T>);
  return {
    async ensureBucket(region, bucket) {
      try {
        await send(region, new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        if (!(error instanceof CloudError) || !["NotFound", "NoSuchBucket"].includes(error.code)) throw error;
        const location = region === "us-east-1" ? undefined : { LocationConstraint: region as BucketLocationConstraint };
        await send(region, new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location }));
      }
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
        const out = await send<{ Contents?: { Key?: string }[]; NextContinuationToken?: string }>(region, new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(out.Contents ?? []).flatMap((c) => (c.Key ? [c.Key] : [])));
        token = out.NextContinuationToken;
      } while (token);
      return keys;
    },
    async deleteObject(region, bucket, key) {
      await send(region, new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    presignGet: (region, bucket, key, expiresSeconds) => getSignedUrl(s3(region), new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresSeconds }),
  };
}
