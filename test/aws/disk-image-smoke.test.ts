import assert from "node:assert/strict";
import { test } from "node:test";
import { bindRetry } from "../../cloud/retry.ts";
import { registerDiskImage } from "../../image/builders/aws/register-disk-image.ts";
import { probeIngressRules, smokeFromOutside } from "../../image/builders/aws/smoke-from-outside.ts";
import { uploadDiskToSnapshot } from "../../image/builders/aws/upload-disk.ts";
import { addSubnet } from "../fakes/aws/fake-network.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { createGatewayProbe } from "../../image/smoke/probe-from-outside.ts";
import { openTestJournal } from "./fixtures.ts";
import { makeSparseDisk } from "./sparse-disk.ts";

// RegisterImage of an uploaded disk and the smoke check of its instance from outside, against the fake cloud.
const region = "eu-west-1";
const disk = makeSparseDisk({ sizeBytes: 4 * 1024 * 1024, dataBlocks: [0, 2] });
const tags = { "rtcgw:build": "b1", "rtcgw:role": "candidate" };

async function registered(cloud: FakeCloud) {
  const journal = openTestJournal(region).journal;
  const ctx = { ports: cloud.ports, probe: cloud.probe, journal, region, withRetry: bindRetry({ clock: cloud.clock }) };
  const { snapshotId } = await uploadDiskToSnapshot(ctx, { path: disk.raw, sha256: disk.sha256 }, { description: "d", tags, clientToken: "t1" });
  const imageId = await registerDiskImage(ctx, { name: "gw-1", description: "gateway 1 (bundle abc)", snapshotId, volumeSizeGiB: 8, arch: "amd64", tags });
  const groupId = await cloud.ports.ec2.createSecurityGroup(region, { name: "smoke", description: "d", tags });
  return { ctx, imageId, groupId, journal };
}

const smokeInput = (imageId: string, groupId: string, subnetId?: string) => ({
  imageId,
  buildId: "b1",
  attempt: 1,
  instanceType: "t3.small",
  securityGroupId: groupId,
  subnetId,
  diskSizeGiB: 8,
  encrypted: false,
  tags,
  sipPort: 5060,
  httpsPort: 443,
  adminUser: "admin",
});

test("the registered image is available, IMDSv2-only, uefi-preferred with ENA on /dev/xvda, and journaled as a candidate", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { imageId, journal } = await registered(cloud);
  const [image] = await cloud.ports.ec2.describeImages(region, { imageIds: [imageId] });
  assert.deepEqual([image?.state, image?.imdsSupport], ["available", "v2.0"]);
  const fake = cloud.state.images.find((i) => i.imageId === imageId)!;
  assert.deepEqual([fake.registered?.bootMode, fake.registered?.enaSupport, fake.registered?.rootDeviceName], ["uefi-preferred", true, "/dev/xvda"]);
  assert.deepEqual(
    journal.read().temporary.map((r) => r.kind),
    ["snapshot", "candidate-image"],
  );
});

test("smoke from outside: with the probe ports open, SIP OPTIONS and HTTPS 401/200 pass once the gateway is up", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { ctx, imageId, groupId } = await registered(cloud);
  await cloud.ports.ec2.authorizeIngress(region, groupId, probeIngressRules(5060, 443));
  const result = await smokeFromOutside(ctx, smokeInput(imageId, groupId));
  assert.equal(result.ok, true, JSON.stringify(result.checks));
  assert.deepEqual(
    result.checks.map((c) => c.name),
    ["kamailio answers SIP OPTIONS over UDP", "HTTPS / asks for the admin login (401)", "HTTPS / lets the admin in with the instance id (200)"],
  );
  assert.equal(cloud.state.instances.find((i) => i.instanceId === result.instanceId)?.imageId, imageId);
});

test("smoke from outside fails when the security group keeps the ports closed, or when the image does not serve", async () => {
  const closed = createFakeCloud({ regions: [region] });
  const a = await registered(closed);
  const shut = await smokeFromOutside(a.ctx, { ...smokeInput(a.imageId, a.groupId), budgetMs: 5 * 60_000 });
  assert.equal(shut.ok, false);
  assert.match(shut.checks.find((c) => !c.ok)?.detail ?? "", /no answer from 203\.0\.113\.\d+:/);

  const broken = createFakeCloud({ regions: [region], faults: { registeredImagesServe: false } });
  const b = await registered(broken);
  await broken.ports.ec2.authorizeIngress(region, b.groupId, probeIngressRules(5060, 443));
  const silent = await smokeFromOutside(b.ctx, { ...smokeInput(b.imageId, b.groupId), budgetMs: 5 * 60_000 });
  assert.equal(silent.ok, false);
  assert.ok(silent.checks.every((c) => !c.ok));
});

test("a smoke instance in a subnet without public addresses fails with what to change", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { ctx, imageId } = await registered(cloud);
  const subnet = addSubnet(cloud.context, region, { mapPublicIpOnLaunch: false });
  const groupId = await cloud.ports.ec2.createSecurityGroup(region, { name: "private", description: "d", tags, vpcId: subnet.vpcId });
  await assert.rejects(smokeFromOutside(ctx, smokeInput(imageId, groupId, subnet.subnetId)), /has no public IPv4 address: .*image\.builder\.subnetId/);
});

test("the real probe from outside says what each check got, and throws nothing, when no gateway listens", async () => {
  const checks = await createGatewayProbe(500).probe({ region, instanceId: "i-1", address: "127.0.0.1", sipPort: 9, httpsPort: 9, adminUser: "admin" });
  assert.deepEqual(
    checks.map((c) => [c.name, c.ok]),
    [
      ["kamailio answers SIP OPTIONS over UDP", false],
      ["HTTPS / asks for the admin login (401)", false],
      ["HTTPS / lets the admin in with the instance id (200)", false],
    ],
  );
  assert.ok(checks.every((c) => c.detail.length > 0));
});
