import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ebsBlockSize } from "../../cloud/ebs-blocks.ts";
import { CloudError, type CloudPorts } from "../../cloud/ports.ts";
import { bindRetry } from "../../cloud/retry.ts";
import type { SdkOptions } from "../../cloud/sdk/client-options.ts";
import { createEbsAdapter } from "../../cloud/sdk/ebs-adapter.ts";
import { createEc2Adapter } from "../../cloud/sdk/ec2-adapter.ts";
import { uploadDiskToSnapshot } from "../../image/builders/aws/upload-disk.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { readSnapshotBlock } from "../fakes/aws/fake-ebs.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { openTestJournal } from "./fixtures.ts";
import { makeSparseDisk } from "./sparse-disk.ts";

// The upload and RegisterImage through real SDK v3 clients (@aws-sdk/client-ebs, @aws-sdk/client-ec2) against the in-process endpoint.
const region = "us-east-1";
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;

before(async () => {
  cloud = createFakeCloud({ regions: [region] });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region, endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 1 };
});
after(() => endpoint.close());

test("StartSnapshot, PutSnapshotBlock (a corrupted and a throttled block sent again) and CompleteSnapshot over the wire; DescribeSnapshots sees it complete; RegisterImage makes an ENA, uefi-preferred, IMDSv2 AMI of it", async () => {
  const disk = makeSparseDisk({ sizeBytes: 8 * 1024 * 1024, dataBlocks: [0, 3, 15] });
  const ports: CloudPorts = { ...cloud.ports, ebs: createEbsAdapter(sdk), ec2: createEc2Adapter(sdk) };
  const journal = openTestJournal(region).journal;
  let armed = false;
  cloud.faults.onCall = (operation) => {
    if (operation !== "PutSnapshotBlock" || armed) return;
    armed = true;
    cloud.faults.throttleNext = 1;
    cloud.faults.corruptNextBlocks = 1;
  };
  const result = await uploadDiskToSnapshot(
    { ports, journal, region, withRetry: bindRetry({ clock: cloud.clock }) },
    { path: disk.zst, sha256: disk.sha256, logicalBytes: disk.logicalBytes },
    { description: "rtcgw disk", tags: { "rtcgw:build": "b1" }, clientToken: "b1-snapshot-1", parallelism: 2 },
  );
  assert.deepEqual([cloud.faults.throttleNext, cloud.faults.corruptNextBlocks], [0, 0], "one block was throttled and one arrived corrupted");
  const snapshot = cloud.state.snapshots.find((s) => s.snapshotId === result.snapshotId)!;
  assert.deepEqual(snapshot.tags, { "rtcgw:build": "b1" });
  assert.deepEqual(
    [...snapshot.direct!.blocks.keys()].sort((a, b) => a - b),
    [0, 3, 15],
  );
  for (const [index, data] of disk.blocks) assert.ok(Buffer.from(readSnapshotBlock(snapshot, index)).equals(data), `block ${index} arrived intact`);
  assert.equal(snapshot.direct!.blocks.get(3)!.byteLength, ebsBlockSize);
  assert.ok(endpoint.served.includes("PutSnapshotBlock") && endpoint.served.includes("CompleteSnapshot"));
  assert.equal((await ports.ec2.describeSnapshot(region, result.snapshotId))?.state, "completed");
  assert.equal(await ports.ec2.describeSnapshot(region, "snap-0000000000000dead"), undefined);
  await assert.rejects(
    ports.ebs.putSnapshotBlock(region, { snapshotId: result.snapshotId, blockIndex: 1, data: disk.blocks.get(0)!, checksum: "AAAA" }),
    (e: unknown) => e instanceof CloudError && e.code === "ValidationException" && /not pending/.test(e.message),
    "a completed snapshot takes no more blocks, and the SDK reads EBS's error",
  );

  const imageId = await ports.ec2.registerImage(region, {
    name: "rtcgw-gateway-1",
    description: "rtcgw gateway 1 (bundle 0123abcd)",
    snapshotId: result.snapshotId,
    volumeSizeGiB: 8,
    architecture: "x86_64",
    bootMode: "uefi-preferred",
    tags: { "rtcgw:build": "b1", "rtcgw:role": "candidate" },
  });
  const image = cloud.state.images.find((i) => i.imageId === imageId)!;
  assert.deepEqual(image.registered, {
    description: "rtcgw gateway 1 (bundle 0123abcd)",
    bootMode: "uefi-preferred",
    enaSupport: true,
    rootDeviceName: "/dev/xvda",
    volumeSizeGiB: 8,
  });
  assert.deepEqual([image.imdsV2, image.arch, image.snapshotIds, image.tags["rtcgw:role"]], [true, "amd64", [result.snapshotId], "candidate"]);
  const [described] = await ports.ec2.describeImages(region, { imageIds: [imageId] });
  assert.deepEqual([described?.snapshotIds, described?.imdsSupport], [[result.snapshotId], "v2.0"]);
});

test("AuthorizeSecurityGroupIngress opens the probe ports over the wire; a smoke instance launched without an instance profile shows its public address once running", async () => {
  const ec2 = createEc2Adapter(sdk);
  const groupId = await ec2.createSecurityGroup(region, { name: "rtcgw-smoke", description: "d", tags: { "rtcgw:build": "b1" } });
  await ec2.authorizeIngress(region, groupId, [
    { protocol: "udp", from: 5060, to: 5060, cidrs: ["0.0.0.0/0"] },
    { protocol: "tcp", from: 443, to: 443, cidrs: ["0.0.0.0/0", "::/0"] },
  ]);
  assert.deepEqual(cloud.state.securityGroups.find((g) => g.groupId === groupId)?.ingress, [
    { protocol: "udp", from: 5060, to: 5060, cidrs: ["0.0.0.0/0"] },
    { protocol: "tcp", from: 443, to: 443, cidrs: ["0.0.0.0/0", "::/0"] },
  ]);
  await assert.rejects(
    ec2.authorizeIngress(region, groupId, [{ protocol: "udp", from: 5060, to: 5060, cidrs: ["0.0.0.0/0"] }]),
    (e: unknown) => e instanceof CloudError && e.code === "InvalidPermission.Duplicate",
  );
  const image = cloud.state.images.find((i) => i.name === "rtcgw-gateway-1")!;
  const instanceId = await ec2.runInstance(region, {
    imageId: image.imageId,
    instanceType: "t3.small",
    securityGroupId: groupId,
    diskSizeGiB: 8,
    encrypted: false,
    clientToken: "b1-smoke-1",
    tags: { "rtcgw:build": "b1" },
  });
  assert.equal(cloud.state.instances.find((i) => i.instanceId === instanceId)?.profile, "", "no instance profile was sent");
  assert.equal((await ec2.describeInstances(region, { instanceIds: [instanceId] }))[0]?.publicIp, undefined, "pending: no address yet");
  cloud.clock.advance(cloud.timings.instanceBootMs);
  const [running] = await ec2.describeInstances(region, { instanceIds: [instanceId] });
  assert.deepEqual([running?.state, running?.publicIp], ["running", cloud.state.instances.find((i) => i.instanceId === instanceId)?.publicIp]);
  assert.match(running?.publicIp ?? "", /^203\.0\.113\.\d+$/);
});
