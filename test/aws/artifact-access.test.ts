import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { mergeArtifactAccess, planArtifactAccess } from "../../regions/artifacts/plan-artifact-access.ts";
import { formatPlan } from "../../regions/plan-publish.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { readObjectAs, type FakeReader } from "../fakes/aws/fake-s3.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const bucketName = "rtcgw-111122223333-us-east-1";
const template = "rtcgw/0.1.0/single-instance.template.json";
const anonymous: FakeReader = { kind: "anonymous" };
const account = (accountId: string): FakeReader => ({ kind: "account", accountId });

async function buildAndPublish(cloud: FakeCloud, visibility: unknown, journalPath = tempJournalPath()) {
  const recipe = makeRecipe({ regions: ["us-east-1", "eu-west-1"], publish: { visibility } });
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.ok(built.ok, JSON.stringify(built));
  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
  assert.equal(published.kind, "published", JSON.stringify(published));
  return { recipe, built, published, journalPath };
}

// A private object of the bucket that every build writes: the provision log kept by SSM.
function aLogKey(cloud: FakeCloud): string {
  const key = [...cloud.state.buckets.get(bucketName)!.objects.keys()].find((k) => k.startsWith("logs/"));
  assert.ok(key, "the build left its command log in the bucket");
  return key;
}

const read = (cloud: FakeCloud, reader: FakeReader, key: string) => readObjectAs(cloud.context, reader, bucketName, key);

test("public: anyone reads the templates, manifest and go page, not the logs or staging bundles; the bucket's BPA lets the policy through", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  const { built } = await buildAndPublish(cloud, "public");
  await cloud.ports.s3.putObject("us-east-1", bucketName, `staging/${built.buildId}/bundle.tar.gz`, "bundle bytes", "application/gzip");
  for (const key of [template, "rtcgw/0.1.0/cluster.template.json", "rtcgw/0.1.0/manifest.json", "rtcgw/0.1.0/index.html"]) {
    const result = read(cloud, anonymous, key);
    assert.ok(result.ok, `${key}: ${JSON.stringify(result)}`);
  }
  assert.equal(JSON.parse(Buffer.from((read(cloud, anonymous, template) as { body: Uint8Array }).body).toString()).AWSTemplateFormatVersion, "2010-09-09");
  assert.deepEqual(read(cloud, anonymous, `staging/${built.buildId}/bundle.tar.gz`), { ok: false, code: "AccessDenied" });
  assert.deepEqual(read(cloud, anonymous, aLogKey(cloud)), { ok: false, code: "AccessDenied" });
  assert.deepEqual(read(cloud, account("999988887777"), aLogKey(cloud)), { ok: false, code: "AccessDenied" });
  const bucket = cloud.state.buckets.get(bucketName)!;
  assert.deepEqual(bucket.publicAccessBlock, { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false });
  const statements = JSON.parse(bucket.policy!).Statement;
  assert.equal(statements.length, 1);
  assert.deepEqual([statements[0].Principal, statements[0].Action, statements[0].Resource], ["*", "s3:GetObject", `arn:aws:s3:::${bucketName}/rtcgw/*`]);
});

test("public while the lifted Block Public Access is still propagating: the policy write is retried until S3 accepts it", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"], faults: { blockPublicAccessPropagationMs: 20_000 } });
  await buildAndPublish(cloud, "public");
  assert.ok(cloud.state.buckets.get(bucketName)!.policy);
  assert.ok(read(cloud, anonymous, template).ok);
});

test("accounts: only the listed accounts read the templates; the bucket stays fully blocked from the public", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  await buildAndPublish(cloud, { accounts: ["444455556666", "777788889999"] });
  assert.ok(read(cloud, account("444455556666"), template).ok);
  assert.ok(read(cloud, account("777788889999"), template).ok);
  assert.deepEqual(read(cloud, account("999988887777"), template), { ok: false, code: "AccessDenied" });
  assert.deepEqual(read(cloud, anonymous, template), { ok: false, code: "AccessDenied" });
  assert.deepEqual(read(cloud, account("444455556666"), aLogKey(cloud)), { ok: false, code: "AccessDenied" });
  assert.deepEqual(cloud.state.buckets.get(bucketName)!.publicAccessBlock, {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: true,
  });
});

test("private: no bucket policy, nobody else reads anything", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  await buildAndPublish(cloud, "private");
  assert.equal(cloud.state.buckets.get(bucketName)!.policy, undefined);
  assert.deepEqual(read(cloud, anonymous, template), { ok: false, code: "AccessDenied" });
  assert.ok(read(cloud, account("111122223333"), template).ok, "the owner reads its own templates");
});

test("going from public to private removes only rtcgw's statement, keeps the others, and blocks public policies again", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  const journalPath = tempJournalPath();
  await buildAndPublish(cloud, "public", journalPath);
  const bucket = cloud.state.buckets.get(bucketName)!;
  const foreign = {
    Sid: "SomeoneElse",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::444455556666:root" },
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::${bucketName}/shared/*`,
  };
  const doc = JSON.parse(bucket.policy!);
  bucket.policy = JSON.stringify({ ...doc, Statement: [...doc.Statement, foreign] });
  await buildAndPublish(cloud, "private", journalPath);
  assert.deepEqual(JSON.parse(bucket.policy!).Statement, [foreign]);
  assert.deepEqual(read(cloud, anonymous, template), { ok: false, code: "AccessDenied" });
  assert.equal(bucket.publicAccessBlock.blockPublicPolicy, true);
  assert.equal(bucket.publicAccessBlock.restrictPublicBuckets, true);
});

test("pre-flight reports an account-level S3 Block Public Access that forbids public templates, and creates nothing", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  cloud.state.accountPublicAccessBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false };
  const recipe = makeRecipe({ regions: ["us-east-1", "eu-west-1"], publish: { visibility: "public" } });
  const result = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "preflight-failed");
  const problems = result.kind === "preflight-failed" ? result.problems : [];
  assert.deepEqual(
    problems.map((p) => p.code),
    ["s3-block-public-access"],
  );
  assert.match(problems[0]!.message, /BlockPublicPolicy on/);
  assert.equal(cloud.state.buckets.size, 0);
  assert.equal(cloud.state.instances.length, 0);
  const shared = makeRecipe({ regions: ["us-east-1", "eu-west-1"], publish: { visibility: { accounts: ["444455556666"] } } });
  const ok = await buildAwsImage({ recipe: shared, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.ok(ok.ok, "sharing with accounts needs no public policy");
});

test("the artifact bucket is tagged at creation and expires logs and staging bundles after 30 days, not the templates", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  await buildAndPublish(cloud, "private");
  const bucket = cloud.state.buckets.get(bucketName)!;
  assert.equal(bucket.tags["rtcgw:project"], "rtcgw");
  assert.deepEqual(
    bucket.expiry.map((r) => [r.prefix, r.days]),
    [
      ["staging/", 30],
      ["logs/", 30],
    ],
  );
  const logKey = aLogKey(cloud);
  await cloud.ports.s3.putObject("us-east-1", bucketName, "staging/old/bundle.tar.gz", "x", "application/gzip");
  cloud.clock.advance(29 * 86_400_000);
  assert.ok((await cloud.ports.s3.listObjects("us-east-1", bucketName, "logs/")).includes(logKey));
  cloud.clock.advance(2 * 86_400_000);
  assert.deepEqual(await cloud.ports.s3.listObjects("us-east-1", bucketName, "logs/"), []);
  assert.deepEqual(await cloud.ports.s3.listObjects("us-east-1", bucketName, "staging/"), []);
  assert.ok(await cloud.ports.s3.getObject("us-east-1", bucketName, template), "templates do not expire");
});

test("a bucket made before rtcgw set lifecycles gets the expiry rules and tags it lacks, keeping its own", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  const blocked = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
  cloud.state.buckets.set(bucketName, {
    region: "us-east-1",
    objects: new Map(),
    writtenAt: new Map(),
    tags: { team: "voice" },
    expiry: [{ id: "theirs", prefix: "tmp/", days: 7 }],
    publicAccessBlock: blocked,
  });
  await buildAndPublish(cloud, "private");
  const bucket = cloud.state.buckets.get(bucketName)!;
  assert.deepEqual(
    bucket.expiry.map((r) => r.id),
    ["theirs", "rtcgw-expire-staging", "rtcgw-expire-logs"],
  );
  assert.deepEqual([bucket.tags.team, bucket.tags["rtcgw:project"]], ["voice", "rtcgw"]);
});

test("the plan states who reads the artifacts; merging is pure and keeps foreign statements", () => {
  const access = planArtifactAccess("public", "rtcgw/");
  assert.deepEqual(access, { readers: "everyone", accounts: [], prefix: "rtcgw/" });
  const merged = mergeArtifactAccess(
    "b",
    access,
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Other", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/x/*" }] }),
  );
  assert.ok(merged.ok);
  assert.equal(merged.ok && JSON.parse(merged.policy!).Statement.length, 2);
  assert.equal(merged.ok && merged.public, true);
  const none = mergeArtifactAccess("b", planArtifactAccess("private", "rtcgw/"), merged.ok ? merged.policy : undefined);
  assert.ok(none.ok && none.public === false && JSON.parse(none.policy!).Statement.length === 1, "a Deny to everyone is not a public grant");
  assert.deepEqual(mergeArtifactAccess("b", planArtifactAccess("private", "rtcgw/"), undefined), {
    ok: true,
    policy: undefined,
    public: false,
    publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
  });
  assert.equal(mergeArtifactAccess("b", access, "{not json").ok, false);
  const plan = {
    buildId: "b".repeat(20),
    amiName: "n",
    sourceRegion: "us-east-1",
    visibility: "public" as const,
    deprecateAfterSeconds: 86400,
    regions: [],
    artifacts: { bucket: "b", region: "us-east-1", keys: { manifest: "m", single: "s", cluster: "c", goPage: "g" }, access },
  };
  assert.match(formatPlan(plan), /s3:\/\/b\/rtcgw\/\* readable by everyone .*Block Public Access for policies is turned off/);
});
