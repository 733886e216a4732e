import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { publishArtifacts } from "../../regions/artifacts/publish-artifacts.ts";
import type { CloudPorts } from "../../cloud/ports.ts";
import { bucketSetupFor } from "../../cloud/bucket-layout.ts";
import { createS3Adapter } from "../../cloud/sdk/s3-adapter.ts";
import { createSdkPorts } from "../../cloud/sdk/create-sdk-ports.ts";
import { runPreflight } from "../../cloud/preflight.ts";
import type { SdkOptions } from "../../cloud/sdk/client-options.ts";
import type { Journal } from "../../cloud/journal.ts";
import { planPublish } from "../../regions/plan-publish.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { makeRecipe } from "./fixtures.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";

// Real SDK v3 S3 clients (path-style, as the adapter sets with an endpoint) against the in-process endpoint.
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;

before(async () => {
  cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region: "us-east-1", endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 4 };
});
after(() => endpoint.close());

const anonymousGet = (bucket: string, key: string) => fetch(`${endpoint.url}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`);

test("ensureBucket creates the bucket in its region with its tags and lifecycle on the wire, and leaves an existing one alone", async () => {
  const s3 = createS3Adapter(sdk);
  await s3.ensureBucket("eu-west-1", "rtcgw-eu", bucketSetupFor("rtcgw-eu"));
  const bucket = cloud.state.buckets.get("rtcgw-eu")!;
  assert.equal(bucket.region, "eu-west-1");
  assert.deepEqual(bucket.tags, { Name: "rtcgw-eu", "rtcgw:project": "rtcgw", "rtcgw:role": "artifacts" });
  assert.deepEqual(bucket.expiry, [
    { id: "rtcgw-expire-staging", prefix: "staging/", days: 30 },
    { id: "rtcgw-expire-logs", prefix: "logs/", days: 30 },
  ]);
  cloud.state.buckets.get("rtcgw-eu")!.tags.marker = "kept";
  await s3.ensureBucket("eu-west-1", "rtcgw-eu", bucketSetupFor("rtcgw-eu"));
  assert.equal(cloud.state.buckets.get("rtcgw-eu")!.tags.marker, "kept", "HeadBucket found it: not created again");
  await s3.ensureBucket("us-east-1", "rtcgw-us", bucketSetupFor("rtcgw-us"));
  assert.equal(cloud.state.buckets.get("rtcgw-us")!.region, "us-east-1");
});

test("an existing bucket without rtcgw's lifecycle and tags gets them added on the wire, its own rules and tags kept", async () => {
  const s3 = createS3Adapter(sdk);
  const blocked = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
  cloud.state.buckets.set("old-bucket", {
    region: "eu-west-1",
    objects: new Map(),
    writtenAt: new Map(),
    tags: { team: "voice" },
    expiry: [{ id: "theirs", prefix: "tmp/", days: 7 }],
    publicAccessBlock: blocked,
  });
  await s3.ensureBucket("eu-west-1", "old-bucket", bucketSetupFor("old-bucket"));
  const bucket = cloud.state.buckets.get("old-bucket")!;
  assert.deepEqual(
    bucket.expiry.map((r) => r.id),
    ["theirs", "rtcgw-expire-staging", "rtcgw-expire-logs"],
  );
  assert.deepEqual(bucket.tags, { team: "voice", Name: "old-bucket", "rtcgw:project": "rtcgw", "rtcgw:role": "artifacts" });
  await s3.ensureBucket("eu-west-1", "old-bucket", bucketSetupFor("old-bucket"));
  assert.equal(cloud.state.buckets.get("old-bucket")!.expiry.length, 3, "nothing added twice");
  cloud.state.buckets.set("bare-bucket", { region: "eu-west-1", objects: new Map(), writtenAt: new Map(), tags: {}, expiry: [], publicAccessBlock: blocked });
  await s3.ensureBucket("eu-west-1", "bare-bucket", bucketSetupFor("bare-bucket"));
  assert.deepEqual(
    cloud.state.buckets.get("bare-bucket")!.expiry.map((r) => [r.prefix, r.days]),
    [
      ["staging/", 30],
      ["logs/", 30],
    ],
    "NoSuchLifecycleConfiguration and NoSuchTagSet read as empty",
  );
  assert.equal(cloud.state.buckets.get("bare-bucket")!.tags["rtcgw:project"], "rtcgw");
});

test("PutObject/GetObject carry bytes exactly; a missing key reads as undefined; list and delete by prefix; a presigned URL reads without credentials", async () => {
  const s3 = createS3Adapter(sdk);
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
  await s3.putObject("us-east-1", "rtcgw-us", "staging/b1/bundle.tar.gz", bytes, "application/gzip");
  await s3.putObject("us-east-1", "rtcgw-us", "rtcgw/0.1.0/manifest.json", '{"é":"ü"}\n', "application/json");
  assert.deepEqual(cloud.state.buckets.get("rtcgw-us")!.objects.get("staging/b1/bundle.tar.gz"), bytes);
  assert.deepEqual(await s3.getObject("us-east-1", "rtcgw-us", "staging/b1/bundle.tar.gz"), bytes);
  assert.equal(Buffer.from((await s3.getObject("us-east-1", "rtcgw-us", "rtcgw/0.1.0/manifest.json"))!).toString("utf8"), '{"é":"ü"}\n');
  assert.equal(await s3.getObject("us-east-1", "rtcgw-us", "rtcgw/none.json"), undefined);
  assert.deepEqual(await s3.listObjects("us-east-1", "rtcgw-us", "staging/"), ["staging/b1/bundle.tar.gz"]);
  const url = await s3.presignGet("us-east-1", "rtcgw-us", "staging/b1/bundle.tar.gz", 600);
  const fetched = await fetch(url);
  assert.equal(fetched.status, 200);
  assert.deepEqual(new Uint8Array(await fetched.arrayBuffer()), bytes);
  assert.equal((await anonymousGet("rtcgw-us", "staging/b1/bundle.tar.gz")).status, 403, "without the signature: denied");
  await s3.deleteObject("us-east-1", "rtcgw-us", "staging/b1/bundle.tar.gz");
  assert.equal(cloud.state.buckets.get("rtcgw-us")!.objects.has("staging/b1/bundle.tar.gz"), false);
  await assert.rejects(s3.putObject("us-east-1", "no-such-bucket", "k", "x", "text/plain"), (e: Error & { code?: string }) => e.code === "NoSuchBucket");
});

test("presignPut: a plain HTTP PUT of the body (no credentials, no headers) to the URL stores the object; the URL names no checksum; once expired it is refused and nothing is stored", async () => {
  const s3 = createS3Adapter(sdk);
  const key = "logs/0123456789abcdef0123/provision.log";
  const log = `${"Get:1 http://deb.debian.org/debian trixie/main amd64 package [1000 kB]\n".repeat(2000)}rtcgw: provision finished\n`;
  const url = await s3.presignPut("us-east-1", "rtcgw-us", key, 600);
  assert.match(url, /[?&]X-Amz-Signature=/);
  assert.doesNotMatch(url, /x-amz-checksum|x-amz-sdk-checksum/i, "a checksum in the URL would be of an empty body: S3 would refuse every real upload");
  const put = await fetch(url, { method: "PUT", body: log });
  assert.equal(put.status, 200, await put.text());
  assert.equal(Buffer.from(cloud.state.buckets.get("rtcgw-us")!.objects.get(key)!).toString("utf8"), log);
  assert.equal(Buffer.from((await s3.getObject("us-east-1", "rtcgw-us", key))!).toString("utf8"), log, "the operator reads it back");
  const withEmptyChecksum = `${url}&x-amz-checksum-crc32=AAAAAA%3D%3D`;
  assert.equal((await fetch(withEmptyChecksum, { method: "PUT", body: log })).status, 400, "what the default presigner's URL would get: BadDigest");
  const shortLived = await s3.presignPut("us-east-1", "rtcgw-us", "logs/0123456789abcdef0123/smoke.log", 1);
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const late = await fetch(shortLived, { method: "PUT", body: "too late\n" });
  assert.equal(late.status, 403);
  assert.match(await late.text(), /Request has expired/);
  assert.equal(await s3.getObject("us-east-1", "rtcgw-us", "logs/0123456789abcdef0123/smoke.log"), undefined);
});

test("publishing public artifacts through the SDK: an anonymous HTTP GET reads the template, not a staging object or a log", async () => {
  const recipe = makeRecipe({ regions: ["us-east-1"], publish: { visibility: "public" } });
  const [image] = cloud.listOwnImages("us-east-1").length ? cloud.listOwnImages("us-east-1") : [{ imageId: cloud.state.images[0]!.imageId }];
  const plan = planPublish({
    recipe,
    buildId: "b".repeat(20),
    amiName: "rtcgw-0.1.0-bbbb",
    sourceRegion: "us-east-1",
    regions: ["us-east-1"],
    artifactBucket: "rtcgw-us",
  });
  const journal: Journal = {
    version: 1,
    buildId: plan.buildId,
    recipe: recipe.name,
    recipeVersion: recipe.version,
    amiName: plan.amiName,
    sourceRegion: "us-east-1",
    account: "111122223333",
    temporary: [],
    regions: { "us-east-1": { status: "published", imageId: image!.imageId } },
  };
  const ports = { ...cloud.ports, s3: createS3Adapter(sdk) } satisfies CloudPorts;
  await ports.s3.putObject("us-east-1", "rtcgw-us", "logs/b1/provision/stdout", "secret log", "text/plain");
  const published = await publishArtifacts({ recipe, plan, journal, run: startCloudRun(ports) });
  assert.equal(published.access.publicPolicy, true);
  const bucket = cloud.state.buckets.get("rtcgw-us")!;
  assert.equal(bucket.publicAccessBlock.blockPublicPolicy, false);
  assert.equal(JSON.parse(bucket.policy!).Statement[0].Resource, "arn:aws:s3:::rtcgw-us/rtcgw/*");
  const template = await anonymousGet("rtcgw-us", "rtcgw/0.1.0/single-instance.template.json");
  assert.equal(template.status, 200);
  assert.ok((await template.json()).Mappings, "the quick-create template with its AMI mappings");
  assert.equal((await anonymousGet("rtcgw-us", "logs/b1/provision/stdout")).status, 403);
  assert.equal((await anonymousGet("rtcgw-us", "staging/b2/bundle.tar.gz")).status, 403);
  assert.equal(await ports.s3.getBucketPolicy("us-east-1", "rtcgw-us"), bucket.policy, "GetBucketPolicy returns the document as stored");

  const privately = planPublish({
    recipe: makeRecipe({ regions: ["us-east-1"] }),
    buildId: plan.buildId,
    amiName: plan.amiName,
    sourceRegion: "us-east-1",
    regions: ["us-east-1"],
    artifactBucket: "rtcgw-us",
  });
  await publishArtifacts({ recipe, plan: privately, journal, run: startCloudRun(ports) });
  assert.equal(bucket.policy, undefined, "DeleteBucketPolicy on the wire");
  assert.equal(await ports.s3.getBucketPolicy("us-east-1", "rtcgw-us"), undefined, "NoSuchBucketPolicy reads as no policy");
  assert.deepEqual(await ports.s3.getPublicAccessBlock("us-east-1", "rtcgw-us"), {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  });
  assert.equal((await anonymousGet("rtcgw-us", "rtcgw/0.1.0/single-instance.template.json")).status, 403);
});

test("the account-level S3 Block Public Access is read through S3 Control", async () => {
  const s3 = createS3Adapter(sdk);
  assert.equal(await s3.getAccountPublicAccessBlock("us-east-1", "111122223333"), undefined);
  cloud.state.accountPublicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false };
  assert.deepEqual(await s3.getAccountPublicAccessBlock("us-east-1", "111122223333"), cloud.state.accountPublicAccessBlock);
  await assert.rejects(s3.getAccountPublicAccessBlock("us-east-1", "999988887777"), (e: Error & { code?: string }) => e.code === "AccessDenied");
  delete cloud.state.accountPublicAccessBlock;
});

test("a public pre-flight over real SDK clients reports image and account-level S3 block public access in one list", async () => {
  const sdkPorts = createSdkPorts(sdk);
  const ports: CloudPorts = { ...sdkPorts, clock: cloud.clock };
  const recipe = makeRecipe({ regions: ["us-east-1", "eu-west-1"], publish: { visibility: "public" } });
  const input = { recipe, sourceRegion: "us-east-1", amiName: "rtcgw-0.1.0-preflight", buildId: "p1" };
  const clean = await runPreflight(input, startCloudRun(ports));
  assert.deepEqual(clean, { ok: true, account: "111122223333", regions: ["us-east-1", "eu-west-1"] });
  cloud.faults.blockPublicAccessIn = ["eu-west-1"];
  cloud.state.accountPublicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: true };
  const blocked = await runPreflight(input, startCloudRun(ports));
  cloud.faults.blockPublicAccessIn = [];
  delete cloud.state.accountPublicAccessBlock;
  assert.equal(blocked.ok, false);
  const problems = blocked.ok ? [] : blocked.problems;
  assert.deepEqual(
    problems.map((p) => [p.region, p.code]),
    [
      ["eu-west-1", "block-public-access"],
      ["us-east-1", "s3-block-public-access"],
    ],
  );
  assert.match(problems[1]!.message, /RestrictPublicBuckets on/);
});
