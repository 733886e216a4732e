import { createHmac } from "node:crypto";
import { CloudError, type PublicAccessBlock, type S3Port } from "../../../cloud/ports.ts";
import type { FakeBucket, FakeContext } from "./fake-state.ts";

/** Who reads an object: nobody signed in, or a principal of some account (the owner's account reads everything). */
export type FakeReader = { kind: "anonymous" } | { kind: "account"; accountId: string };

/** A read as S3 answers it: the body, or the error code (403 AccessDenied before 404 NoSuchKey, as for a reader without ListBucket). */
export type FakeRead = { ok: true; body: Uint8Array } | { ok: false; code: "AccessDenied" | "NoSuchKey" | "NoSuchBucket" };

const allBlocked: PublicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
const dayMs = 86_400_000;

type Statement = { Effect?: string; Principal?: unknown; Action?: unknown; Resource?: unknown };
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const glob = (pattern: string, text: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(text);
const isPublic = (s: Statement) => s.Principal === "*" || asList((s.Principal as { AWS?: unknown } | undefined)?.AWS).includes("*");
const statementsOf = (policy: string | undefined): Statement[] =>
  policy ? (asList((JSON.parse(policy) as { Statement?: unknown }).Statement) as Statement[]) : [];

// Presigned PUT URLs of the fake S3: `https://<bucket>.s3.<region>.amazonaws.com/<key>?X-Amz-Date=…&X-Amz-Expires=…&X-Amz-Signature=…`,
// the signature an HMAC of method, bucket, key, date and expiry under a key only the fake knows (a changed URL is refused).
const presignKey = "fake-s3-presign-secret";
const amzDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
const fromAmzDate = (text: string) => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
};
const presignSignature = (method: string, bucket: string, key: string, date: string, expires: string) =>
  createHmac("sha256", presignKey).update([method, bucket, key, date, expires].join("\n")).digest("hex");

/** Where a presigned PUT URL writes, or why S3 would refuse it at that time. */
export type PresignedPut = { ok: true; bucket: string; key: string } | { ok: false; reason: "malformed" | "signature" | "expired" | "no-bucket" };

// Checks a presigned PUT URL of the fake S3 as S3 would when the upload happens at `at` (virtual ms).
export function checkPresignedPut(ctx: FakeContext, url: string, at: number): PresignedPut {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const bucket = /^([^.]+)\.s3\.[^.]+\.amazonaws\.com$/.exec(parsed.hostname)?.[1];
  const [date, expires, signature] = ["X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature"].map((p) => parsed.searchParams.get(p) ?? "");
  if (!bucket || !date || !expires) return { ok: false, reason: "malformed" };
  const key = parsed.pathname.slice(1).split("/").map(decodeURIComponent).join("/");
  if (signature !== presignSignature("PUT", bucket, key, date, expires)) return { ok: false, reason: "signature" };
  if (at > fromAmzDate(date) + Number(expires) * 1000) return { ok: false, reason: "expired" };
  if (!ctx.state.buckets.has(bucket)) return { ok: false, reason: "no-bucket" };
  return { ok: true, bucket, key };
}

// Removes objects whose lifecycle rule has expired them (S3 does it in the background; the fake does it on access).
export function expireObjects(ctx: FakeContext, bucket: FakeBucket): void {
  for (const [key, at] of bucket.writtenAt) {
    if (bucket.expiry.some((r) => key.startsWith(r.prefix) && ctx.clock.now() >= at + r.days * dayMs))
      [bucket.objects.delete(key), bucket.writtenAt.delete(key)];
  }
}

// Reads an object as another principal would, through the bucket policy and both levels of Block Public Access.
export function readObjectAs(ctx: FakeContext, reader: FakeReader, bucketName: string, key: string): FakeRead {
  const bucket = ctx.state.buckets.get(bucketName);
  if (!bucket) return { ok: false, code: "NoSuchBucket" };
  expireObjects(ctx, bucket);
  const owner = reader.kind === "account" && reader.accountId === ctx.state.accountId;
  if (!owner) {
    const statements = statementsOf(bucket.policy);
    const restricted =
      statements.some((s) => s.Effect === "Allow" && isPublic(s)) &&
      (bucket.publicAccessBlock.restrictPublicBuckets || !!ctx.state.accountPublicAccessBlock?.restrictPublicBuckets);
    const applies = (s: Statement) => {
      const principals = s.Principal === "*" ? ["*"] : asList((s.Principal as { AWS?: unknown } | undefined)?.AWS).map(String);
      const principalOk =
        principals.includes("*") ||
        (reader.kind === "account" && principals.some((p) => p === reader.accountId || p === `arn:aws:iam::${reader.accountId}:root`));
      const actionOk = asList(s.Action).some((a) => ["s3:GetObject", "s3:*", "*"].includes(String(a)));
      return principalOk && actionOk && asList(s.Resource).some((r) => glob(String(r), `arn:aws:s3:::${bucketName}/${key}`));
    };
    const allowed = !restricted && statements.some((s) => s.Effect === "Allow" && applies(s)) && !statements.some((s) => s.Effect === "Deny" && applies(s));
    if (!allowed) return { ok: false, code: "AccessDenied" };
  }
  const body = bucket.objects.get(key);
  return body ? { ok: true, body } : { ok: false, code: "NoSuchKey" };
}

// The S3 port of the fake cloud: new buckets get Block Public Access on (as S3 does since 2023), tags and lifecycle at creation;
// an existing bucket gets the rules and tags it lacks.
export function createFakeS3(ctx: FakeContext): S3Port {
  const { state } = ctx;
  const bucketOf = (name: string) => {
    const bucket = state.buckets.get(name);
    if (!bucket) throw new CloudError("NoSuchBucket", `The specified bucket does not exist: ${name}`);
    expireObjects(ctx, bucket);
    return bucket;
  };
  return {
    async ensureBucket(region, bucket, setup) {
      ctx.enter("CreateBucket", region);
      const existing = state.buckets.get(bucket);
      if (!existing) {
        state.buckets.set(bucket, {
          region,
          objects: new Map(),
          writtenAt: new Map(),
          tags: { ...setup.tags },
          expiry: setup.expiry.map((r) => ({ ...r })),
          publicAccessBlock: { ...allBlocked },
        });
        return;
      }
      existing.expiry.push(...setup.expiry.filter((r) => !existing.expiry.some((x) => x.id === r.id)).map((r) => ({ ...r })));
      existing.tags = { ...setup.tags, ...existing.tags };
    },
    async putObject(region, bucket, key, body) {
      ctx.enter("PutObject", region);
      const target = bucketOf(bucket);
      target.objects.set(key, typeof body === "string" ? new TextEncoder().encode(body) : new Uint8Array(body));
      target.writtenAt.set(key, ctx.clock.now());
    },
    async getObject(region, bucket, key) {
      ctx.enter("GetObject", region);
      return bucketOf(bucket).objects.get(key);
    },
    async listObjects(region, bucket, prefix) {
      ctx.enter("ListObjectsV2", region);
      return [...bucketOf(bucket).objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
    async deleteObject(region, bucket, key) {
      ctx.enter("DeleteObject", region);
      const target = bucketOf(bucket);
      [target.objects.delete(key), target.writtenAt.delete(key)];
    },
    async presignGet(region, bucket, key, expiresSeconds) {
      return `https://${bucket}.s3.${region}.amazonaws.com/${key.split("/").map(encodeURIComponent).join("/")}?X-Amz-Expires=${expiresSeconds}&X-Amz-Signature=fake`;
    },
    async presignPut(region, bucket, key, expiresSeconds) {
      const date = amzDate(ctx.clock.now());
      const signature = presignSignature("PUT", bucket, key, date, String(expiresSeconds));
      return `https://${bucket}.s3.${region}.amazonaws.com/${key.split("/").map(encodeURIComponent).join("/")}?X-Amz-Date=${date}&X-Amz-Expires=${expiresSeconds}&X-Amz-Signature=${signature}`;
    },
    async getBucketPolicy(region, bucket) {
      ctx.enter("GetBucketPolicy", region);
      return bucketOf(bucket).policy;
    },
    async putBucketPolicy(region, bucket, policy) {
      ctx.enter(policy === undefined ? "DeleteBucketPolicy" : "PutBucketPolicy", region);
      const target = bucketOf(bucket);
      if (policy === undefined) return void delete target.policy;
      let statements: Statement[];
      try {
        statements = statementsOf(policy);
      } catch {
        throw new CloudError("MalformedPolicy", "Policies must be valid JSON");
      }
      const inForce = target.previousBlock && ctx.clock.now() < target.previousBlock.until ? target.previousBlock.block : target.publicAccessBlock;
      if (statements.some((s) => s.Effect === "Allow" && isPublic(s)) && (inForce.blockPublicPolicy || state.accountPublicAccessBlock?.blockPublicPolicy)) {
        throw new CloudError(
          "AccessDenied",
          "User is not authorized to perform: s3:PutBucketPolicy because public policies are blocked by the BlockPublicPolicy block public access setting.",
        );
      }
      target.policy = policy;
    },
    async getPublicAccessBlock(region, bucket) {
      ctx.enter("GetPublicAccessBlock", region);
      return { ...bucketOf(bucket).publicAccessBlock };
    },
    async putPublicAccessBlock(region, bucket, block) {
      ctx.enter("PutPublicAccessBlock", region);
      const target = bucketOf(bucket);
      const propagationMs = ctx.faults.blockPublicAccessPropagationMs ?? 0;
      if (propagationMs > 0) target.previousBlock = { block: target.publicAccessBlock, until: ctx.clock.now() + propagationMs };
      target.publicAccessBlock = { ...block };
    },
    async getAccountPublicAccessBlock(region, accountId) {
      ctx.enter("GetAccountPublicAccessBlock", region);
      if (accountId !== state.accountId) throw new CloudError("AccessDenied", `Access denied to account ${accountId}`);
      return state.accountPublicAccessBlock ? { ...state.accountPublicAccessBlock } : undefined;
    },
  };
}
