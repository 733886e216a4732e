// Account-level EBS encryption by default (issue 14, defect 4): with it on, EC2 encrypts every volume, snapshot and AMI copy
// in that region with the region's default key, whatever the recipe says. An AMI with encrypted snapshots cannot be public,
// and with the AWS managed key (aws/ebs) it cannot be shared with accounts either. Pre-flight reads the setting and the key
// in every target region and refuses such a publish before anything is created; a customer managed default key makes a
// shared publish work.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { createSdkPorts } from "../../cloud/sdk/create-sdk-ports.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { runPreflight } from "../../cloud/preflight.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";

const regions = ["us-east-1", "eu-west-1"];
const customerKey = (region: string) => `arn:aws:kms:${region}:111122223333:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9`;
const nothingCreated = (cloud: ReturnType<typeof createFakeCloud>) =>
  cloud.state.instances.length + cloud.state.roles.length + cloud.state.securityGroups.length + cloud.state.buckets.size;

test("public publish with EBS encryption by default on in one target region: refused before anything is created, with the fix", async () => {
  const cloud = createFakeCloud({ regions, accountSettings: { "eu-west-1": { ebsEncryptionByDefault: true } } });
  const recipe = makeRecipe({ regions, publish: { visibility: "public" } });
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(built.kind, "preflight-failed", JSON.stringify(built));
  const problems = built.kind === "preflight-failed" ? built.problems : [];
  assert.deepEqual(
    problems.map((p) => [p.region, p.code]),
    [["eu-west-1", "ebs-encryption-by-default"]],
  );
  assert.match(problems[0]!.message, /EBS encryption by default is on in eu-west-1/);
  assert.match(problems[0]!.message, /cannot be made public/);
  assert.match(problems[0]!.message, /aws ec2 disable-ebs-encryption-by-default --region eu-west-1/);
  assert.equal(nothingCreated(cloud), 0);
});

test("shared publish where the source region encrypts by default with the AWS managed key: refused, naming the key and how to set a customer managed one", async () => {
  const cloud = createFakeCloud({ regions, accountSettings: { "us-east-1": { ebsEncryptionByDefault: true } } });
  const recipe = makeRecipe({ regions, publish: { visibility: { accounts: ["444455556666"] } } });
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(built.kind, "preflight-failed", JSON.stringify(built));
  const problems = built.kind === "preflight-failed" ? built.problems : [];
  // The copy in eu-west-1 comes from an encrypted source: it is encrypted too, with eu-west-1's default key (aws/ebs).
  assert.deepEqual(
    problems.map((p) => [p.region, p.code]),
    [
      ["us-east-1", "shared-encrypted"],
      ["eu-west-1", "shared-encrypted"],
    ],
  );
  assert.match(problems[0]!.message, /EBS encryption by default is on in us-east-1.*AWS managed key alias\/aws\/ebs.*cannot be shared/);
  assert.match(problems[0]!.message, /aws ec2 modify-ebs-default-kms-key-id --region us-east-1 --kms-key-id/);
  assert.match(problems[1]!.message, /copy in eu-west-1 .*encrypted.*alias\/aws\/ebs/);
  assert.equal(nothingCreated(cloud), 0);
});

test("the recipe's own disk encryption is checked per region too: shared publish refused with aws/ebs, allowed with a customer managed default key", async () => {
  const recipe = makeRecipe({ regions: ["us-east-1"], publish: { visibility: { accounts: ["444455556666"] } }, image: { disk: { encrypted: true } } });
  const input = { recipe, sourceRegion: "us-east-1", amiName: "rtcgw-0.1.0-x", buildId: "x" };
  const managed = await runPreflight(input, startCloudRun(createFakeCloud({ regions }).ports));
  assert.deepEqual(managed.ok ? [] : managed.problems.map((p) => [p.region, p.code]), [["us-east-1", "shared-encrypted"]]);
  assert.match(managed.ok ? "" : managed.problems[0]!.message, /image\.disk\.encrypted is true/);
  const own = await runPreflight(
    input,
    startCloudRun(createFakeCloud({ regions, accountSettings: { "us-east-1": { ebsDefaultKmsKeyId: customerKey("us-east-1") } } }).ports),
  );
  assert.equal(own.ok, true, JSON.stringify(own));
});

test("shared publish with customer managed default keys: built, copied and shared, every snapshot under its region's key", async () => {
  const cloud = createFakeCloud({
    regions,
    accountSettings: Object.fromEntries(regions.map((r) => [r, { ebsEncryptionByDefault: true, ebsDefaultKmsKeyId: customerKey(r) }])),
  });
  const recipe = makeRecipe({ regions, publish: { visibility: { accounts: ["444455556666"] } } });
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.ok(built.ok, JSON.stringify(built));
  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
  assert.equal(published.kind, "published", JSON.stringify(published));
  for (const region of regions) {
    const [image] = cloud.listOwnImages(region);
    assert.deepEqual(image?.launchAccounts, ["444455556666"], region);
    const snapshots = cloud.state.snapshots.filter((s) => image!.snapshotIds.includes(s.snapshotId));
    assert.deepEqual(
      snapshots.map((s) => [s.encrypted, s.kmsKeyId, s.accounts]),
      [[true, customerKey(region), ["444455556666"]]],
      region,
    );
  }
  assert.deepEqual(cloud.listLeftovers(), []);
});

test("a public publish in regions without the setting is not affected, and a private one never is", async () => {
  const cloud = createFakeCloud({ regions, accountSettings: { "eu-west-1": { ebsEncryptionByDefault: true } } });
  const input = (visibility: unknown) => ({
    recipe: makeRecipe({ regions, publish: { visibility } }),
    sourceRegion: "us-east-1",
    amiName: "rtcgw-0.1.0-x",
    buildId: "x",
  });
  assert.equal((await runPreflight(input("private"), startCloudRun(cloud.ports))).ok, true);
  const onlyUs = { ...input("public"), recipe: makeRecipe({ regions: ["us-east-1"], publish: { visibility: "public" } }) };
  assert.equal((await runPreflight(onlyUs, startCloudRun(cloud.ports))).ok, true);
});

test("AMI block public access is an account setting per region: pre-flight of a public publish names the region, a private one does not care", async () => {
  const cloud = createFakeCloud({ regions, accountSettings: { "eu-west-1": { imageBlockPublicAccess: "block-new-sharing" } } });
  const input = (visibility: unknown) => ({
    recipe: makeRecipe({ regions, publish: { visibility } }),
    sourceRegion: "us-east-1",
    amiName: "rtcgw-0.1.0-x",
    buildId: "x",
  });
  const blocked = await runPreflight(input("public"), startCloudRun(cloud.ports));
  assert.deepEqual(blocked.ok ? [] : blocked.problems.map((p) => [p.region, p.code]), [["eu-west-1", "block-public-access"]]);
  assert.equal((await runPreflight(input("private"), startCloudRun(cloud.ports))).ok, true);
});

let endpoint: FakeEndpoint;
const sdkCloud = createFakeCloud({ regions, accountSettings: { "eu-west-1": { ebsEncryptionByDefault: true, ebsDefaultKmsKeyId: customerKey("eu-west-1") } } });
before(async () => (endpoint = await startFakeEndpoint(sdkCloud)));
after(() => endpoint.close());

test("over real SDK clients: GetEbsEncryptionByDefault and GetEbsDefaultKmsKeyId in each region, and the fake encrypts what the setting says", async () => {
  const ports = {
    ...createSdkPorts({ region: "us-east-1", endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 2 }),
    clock: sdkCloud.clock,
  };
  assert.deepEqual(await ports.ec2.getEbsEncryptionDefaults("us-east-1"), { enabled: false, kmsKeyId: "alias/aws/ebs" });
  assert.deepEqual(await ports.ec2.getEbsEncryptionDefaults("eu-west-1"), { enabled: true, kmsKeyId: customerKey("eu-west-1") });
  const served = endpoint.served.filter((a) => a.startsWith("GetEbs")).sort();
  assert.deepEqual(served, ["GetEbsDefaultKmsKeyId", "GetEbsDefaultKmsKeyId", "GetEbsEncryptionByDefault", "GetEbsEncryptionByDefault"]);
  const base = sdkCloud.state.images.find((i) => i.region === "eu-west-1" && i.arch === "amd64")!;
  const groupId = await ports.ec2.createSecurityGroup("eu-west-1", { name: "g", description: "d", tags: { "rtcgw:build": "b1" } });
  sdkCloud.state.profiles.push({ name: "p", roleName: "r", tags: {}, deleted: false, createdAt: 0 });
  const instanceId = await ports.ec2.runInstance("eu-west-1", {
    imageId: base.imageId,
    instanceType: "t3.small",
    instanceProfileName: "p",
    securityGroupId: groupId,
    diskSizeGiB: 8,
    encrypted: false,
    clientToken: "t1",
    tags: { "rtcgw:build": "b1" },
  });
  const instance = sdkCloud.state.instances.find((i) => i.instanceId === instanceId)!;
  assert.deepEqual([instance.encrypted, instance.kmsKeyId], [true, customerKey("eu-west-1")], "RunInstances without Encrypted still gets an encrypted volume");
});
