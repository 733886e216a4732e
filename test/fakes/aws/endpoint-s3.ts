// S3 REST-XML (path-style) and S3 Control requests of the fake endpoint, mapped onto the fake cloud's S3 port.
// A request without an Authorization header is anonymous: it may only read objects, through the bucket policy.
import { crc32 } from "node:zlib";
import type { PublicAccessBlock } from "../../../cloud/ports.ts";
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { readObjectAs } from "./fake-s3.ts";
import { xmlEscape } from "./protocol-codecs.ts";

/** One S3 request as the endpoint received it. */
export interface S3Request {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  region: string;
  anonymous: boolean;
}

/** An S3 answer. */
export interface S3Answer {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

const statusOf: Record<string, number> = {
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchBucketPolicy: 404,
  NoSuchPublicAccessBlockConfiguration: 404,
  NoSuchLifecycleConfiguration: 404,
  NoSuchTagSet: 404,
  AccessDenied: 403,
  BucketAlreadyOwnedByYou: 409,
  SlowDown: 503,
  RequestLimitExceeded: 503,
};
const xml = (body: string, status = 200): S3Answer => ({
  status,
  headers: { "content-type": "application/xml" },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
});
const empty = (status = 200): S3Answer => ({ status, headers: {}, body: "" });
const field = (text: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
const all = (text: string, name: string) => [...text.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1]!);
const blockXml = (b: PublicAccessBlock) =>
  `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>${b.blockPublicAcls}</BlockPublicAcls><IgnorePublicAcls>${b.ignorePublicAcls}</IgnorePublicAcls><BlockPublicPolicy>${b.blockPublicPolicy}</BlockPublicPolicy><RestrictPublicBuckets>${b.restrictPublicBuckets}</RestrictPublicBuckets></PublicAccessBlockConfiguration>`;
const readBlock = (text: string): PublicAccessBlock => ({
  blockPublicAcls: field(text, "BlockPublicAcls") === "true",
  ignorePublicAcls: field(text, "IgnorePublicAcls") === "true",
  blockPublicPolicy: field(text, "BlockPublicPolicy") === "true",
  restrictPublicBuckets: field(text, "RestrictPublicBuckets") === "true",
});

// Decodes an `aws-chunked` body (`<hex size>;chunk-signature=…\r\n<data>\r\n` … `0\r\n<trailers>`).
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf("\r\n", at);
    const size = parseInt(body.subarray(at, eol).toString("latin1").split(";")[0]!, 16);
    if (!size) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

// The S3 action name of a request (for `served` and `loseNextResponse`).
export function s3ActionOf(method: string, url: URL): string {
  if (url.pathname.startsWith("/v20180820/")) return "GetAccountPublicAccessBlock";
  const hasKey = url.pathname.split("/").filter(Boolean).length > 1;
  const names: Record<string, string> = {
    policy: "BucketPolicy",
    publicAccessBlock: "PublicAccessBlock",
    lifecycle: "BucketLifecycleConfiguration",
    tagging: "BucketTagging",
    "list-type": "ListObjectsV2",
  };
  const sub = Object.keys(names).find((q) => url.searchParams.has(q));
  const name = sub ? names[sub]! : hasKey ? "Object" : "Bucket";
  if (name === "ListObjectsV2") return name;
  const verb = { GET: "Get", PUT: "Put", DELETE: "Delete", HEAD: "Head" }[method] ?? method;
  return name === "Bucket" && verb === "Put" ? "CreateBucket" : `${verb}${name}`;
}

// Answers one S3 request; errors are thrown as CloudError and rendered by `s3ErrorAnswer`.
export async function handleS3(cloud: FakeCloud, request: S3Request): Promise<S3Answer> {
  const { s3 } = cloud.ports;
  const { method, url, region } = request;
  if (url.pathname === "/v20180820/configuration/publicAccessBlock") {
    const block = await s3.getAccountPublicAccessBlock(region, String(request.headers["x-amz-account-id"] ?? ""));
    if (!block) throw new CloudError("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found");
    return xml(blockXml(block));
  }
  const [bucket = "", ...rest] = url.pathname.slice(1).split("/");
  const key = rest.map(decodeURIComponent).join("/");
  const text = request.body.toString("utf8");
  if (request.anonymous) {
    if (method !== "GET" || !key) throw new CloudError("AccessDenied", "Access Denied");
    const read = readObjectAs(cloud.context, { kind: "anonymous" }, bucket, key);
    if (!read.ok) throw new CloudError(read.code, read.code === "AccessDenied" ? "Access Denied" : `The specified key does not exist: ${key}`);
    return { status: 200, headers: { "content-type": "application/octet-stream" }, body: read.body };
  }
  const action = s3ActionOf(method, url);
  switch (action) {
    case "HeadBucket":
      cloud.context.enter("HeadBucket", region);
      if (!cloud.state.buckets.has(bucket)) throw new CloudError("NotFound", "Not Found");
      return empty();
    case "CreateBucket": {
      const location = field(text, "LocationConstraint") ?? "us-east-1";
      if (location !== region)
        throw new CloudError("IllegalLocationConstraintException", `The ${location} location constraint is incompatible with the region ${region}`);
      if (cloud.state.buckets.has(bucket)) throw new CloudError("BucketAlreadyOwnedByYou", `Your previous request to create ${bucket} succeeded`);
      const tags = Object.fromEntries(all(text, "Tag").map((t) => [field(t, "Key") ?? "", field(t, "Value") ?? ""]));
      await s3.ensureBucket(region, bucket, { tags, expiry: [] });
      return { status: 200, headers: { location: `/${bucket}` }, body: "" };
    }
    case "PutBucketLifecycleConfiguration":
      bucketFor(cloud, bucket, request).expiry = all(text, "Rule")
        .filter((r) => field(r, "Status") === "Enabled")
        .map((r) => ({ id: field(r, "ID") ?? "", prefix: field(r, "Prefix") ?? "", days: Number(field(r, "Days")) }));
      return empty();
    case "GetBucketLifecycleConfiguration": {
      const rules = bucketFor(cloud, bucket).expiry;
      if (!rules.length) throw new CloudError("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist");
      const xmlRules = rules.map(
        (r) =>
          `<Rule><ID>${xmlEscape(r.id)}</ID><Filter><Prefix>${xmlEscape(r.prefix)}</Prefix></Filter><Status>Enabled</Status><Expiration><Days>${r.days}</Days></Expiration></Rule>`,
      );
      return xml(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${xmlRules.join("")}</LifecycleConfiguration>`);
    }
    case "PutBucketTagging":
      bucketFor(cloud, bucket, request).tags = Object.fromEntries(all(text, "Tag").map((t) => [field(t, "Key") ?? "", field(t, "Value") ?? ""]));
      return empty(204);
    case "GetBucketTagging": {
      const tags = Object.entries(bucketFor(cloud, bucket).tags);
      if (!tags.length) throw new CloudError("NoSuchTagSet", "The TagSet does not exist");
      return xml(`<Tagging><TagSet>${tags.map(([k, v]) => `<Tag><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></Tag>`).join("")}</TagSet></Tagging>`);
    }
    case "GetBucketPolicy": {
      const policy = await s3.getBucketPolicy(region, bucket);
      if (policy === undefined) throw new CloudError("NoSuchBucketPolicy", "The bucket policy does not exist");
      return { status: 200, headers: { "content-type": "application/json" }, body: policy };
    }
    case "PutBucketPolicy":
      await s3.putBucketPolicy(region, bucket, text);
      return empty(204);
    case "DeleteBucketPolicy":
      await s3.putBucketPolicy(region, bucket, undefined);
      return empty(204);
    case "GetPublicAccessBlock":
      return xml(blockXml((await s3.getPublicAccessBlock(region, bucket))!));
    case "PutPublicAccessBlock":
      await s3.putPublicAccessBlock(region, bucket, readBlock(text));
      return empty();
    case "ListObjectsV2": {
      const prefix = url.searchParams.get("prefix") ?? "";
      const keys = await s3.listObjects(region, bucket, prefix);
      const contents = keys.map(
        (k) =>
          `<Contents><Key>${xmlEscape(k)}</Key><Size>${cloud.state.buckets.get(bucket)!.objects.get(k)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      return xml(
        `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join("")}</ListBucketResult>`,
      );
    }
    case "PutObject": {
      const chunked = String(request.headers["content-encoding"] ?? "").includes("aws-chunked");
      const data = chunked ? decodeAwsChunked(request.body) : request.body;
      const sent = request.headers["x-amz-checksum-crc32"] ?? url.searchParams.get("x-amz-checksum-crc32") ?? undefined; // a presigned URL carries it in its query
      const computed = Buffer.alloc(4);
      computed.writeUInt32BE(crc32(data));
      if (typeof sent === "string" && sent !== computed.toString("base64"))
        throw new CloudError("BadDigest", "The CRC32 you specified did not match the calculated checksum");
      await s3.putObject(region, bucket, key, new Uint8Array(data), String(request.headers["content-type"] ?? ""));
      return { status: 200, headers: { etag: '"fake-etag"' }, body: "" };
    }
    case "GetObject": {
      const body = await s3.getObject(region, bucket, key);
      if (!body) throw new CloudError("NoSuchKey", `The specified key does not exist: ${key}`);
      return { status: 200, headers: { "content-type": "application/octet-stream", "content-length": String(body.length) }, body };
    }
    case "DeleteObject":
      await s3.deleteObject(region, bucket, key);
      return empty(204);
  }
  throw new CloudError("NotImplemented", `The fake endpoint does not implement s3:${action}`);
}

// The bucket a configuration call targets; a write must carry Content-MD5 or a checksum header, as S3 requires.
function bucketFor(cloud: FakeCloud, name: string, write?: S3Request) {
  if (write && !write.headers["content-md5"] && !Object.keys(write.headers).some((h) => h.startsWith("x-amz-checksum-")))
    throw new CloudError("InvalidRequest", "Missing required header for this request: Content-MD5");
  const bucket = cloud.state.buckets.get(name);
  if (!bucket) throw new CloudError("NoSuchBucket", `The specified bucket does not exist: ${name}`);
  return bucket;
}

// Renders an S3 error (a HEAD answer has no body, as S3's).
export function s3ErrorAnswer(method: string, code: string, message: string): S3Answer {
  const status = statusOf[code] ?? (code === "NotFound" ? 404 : code === "InternalError" ? 500 : 400);
  const wire = code === "RequestLimitExceeded" ? "SlowDown" : code;
  if (method === "HEAD") return empty(status);
  return xml(`<Error><Code>${xmlEscape(wire)}</Code><Message>${xmlEscape(message)}</Message><RequestId>req-1</RequestId></Error>`, status);
}
