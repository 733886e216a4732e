import assert from "node:assert/strict";
import { test } from "node:test";
import { buildTags } from "../../cloud/naming.ts";
import type { JournalFile } from "../../cloud/journal.ts";
import { CloudError } from "../../cloud/ports.ts";
import { bindRetry } from "../../cloud/retry.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";
import { ebsBlockSize } from "../../cloud/ebs-blocks.ts";
import { uploadDiskToSnapshot, type DiskToUpload } from "../../image/builders/aws/upload-disk.ts";
import { settleJournalFile } from "../../image/builders/aws/settle-earlier-attempts.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { readSnapshotBlock } from "../fakes/aws/fake-ebs.ts";
import { openTestJournal } from "./fixtures.ts";
import { armKill } from "./simulate-kill.ts";
import { makeSparseDisk, type SparseDisk } from "./sparse-disk.ts";

// The EBS direct upload of a disk against the fake cloud: what the snapshot holds, throttling, corrupted blocks, the
// snapshot's Timeout and states, a kill mid-upload.
const region = "eu-west-1";
const buildId = "b0123456789abcdef";
// 24 MiB: the first blocks (a GPT and boot loader), one in the middle only half written, the last one.
const disk = makeSparseDisk({ sizeBytes: 24 * 1024 * 1024, dataBlocks: [0, 1, 7, 8, 20, 47], partial: 20 });

function setup(): { cloud: FakeCloud; journal: JournalFile; journalPath: string } {
  const cloud = createFakeCloud({ regions: [region] });
  const { journal, journalPath } = openTestJournal(region, buildId);
  return { cloud, journal, journalPath };
}

function upload(cloud: FakeCloud, journal: JournalFile, source: DiskToUpload, clientToken = "token-1") {
  return uploadDiskToSnapshot({ ports: cloud.ports, journal, region, withRetry: bindRetry({ clock: cloud.clock }) }, source, {
    description: "rtcgw test disk",
    tags: buildTags({ buildId, recipe: "gateway", version: "1.0.0", role: "candidate", name: "gw" }),
    clientToken,
  });
}

// The snapshot's blocks as the fake stores them, and whether every block of the disk reads back as the disk's bytes.
function assertSnapshotHoldsDisk(cloud: FakeCloud, snapshotId: string, expected: SparseDisk) {
  const snapshot = cloud.state.snapshots.find((s) => s.snapshotId === snapshotId)!;
  assert.deepEqual(
    [...snapshot.direct!.blocks.keys()].sort((a, b) => a - b),
    [...expected.blocks.keys()],
    "exactly the non-zero blocks were written",
  );
  for (let index = 0; index < expected.logicalBytes / ebsBlockSize; index++) {
    const want = expected.blocks.get(index) ?? Buffer.alloc(ebsBlockSize);
    assert.ok(Buffer.from(readSnapshotBlock(snapshot, index)).equals(want), `block ${index} reads back as the disk's`);
  }
}

test("a clean upload of the compressed disk stores exactly its non-zero blocks, completes, and is journaled as temporary", async () => {
  const { cloud, journal } = setup();
  const result = await upload(cloud, journal, { path: disk.zst, sha256: disk.sha256, logicalBytes: disk.logicalBytes });
  assert.deepEqual(
    [result.changedBlocks, result.uploadedBytes, result.volumeSizeGiB, result.sha256],
    [6, 6 * ebsBlockSize, 1, disk.sha256],
    "6 blocks of 512 KiB, the 24 MiB disk in a 1 GiB volume",
  );
  assertSnapshotHoldsDisk(cloud, result.snapshotId, disk);
  assert.equal((await cloud.ports.ec2.describeSnapshot(region, result.snapshotId))?.state, "completed");
  assert.deepEqual(
    journal.read().temporary.map((r) => [r.kind, r.id, r.deleted]),
    [["snapshot", result.snapshotId, false]],
  );
  assert.equal(cloud.state.snapshots.find((s) => s.snapshotId === result.snapshotId)!.tags["rtcgw:build"], buildId);
});

test("the raw disk uploads to the same blocks as its compressed form", async () => {
  const { cloud, journal } = setup();
  const result = await upload(cloud, journal, { path: disk.raw, sha256: disk.sha256 });
  assert.equal(result.logicalBytes, disk.logicalBytes);
  assertSnapshotHoldsDisk(cloud, result.snapshotId, disk);
});

test("throttled blocks are sent again until EBS takes them", async () => {
  const { cloud, journal } = setup();
  let armed = false;
  cloud.faults.onCall = (operation) => {
    if (operation !== "PutSnapshotBlock" || armed) return;
    armed = true;
    cloud.faults.throttleNext = 4;
  };
  const result = await upload(cloud, journal, { path: disk.zst, sha256: disk.sha256, logicalBytes: disk.logicalBytes });
  assert.equal(cloud.faults.throttleNext, 0, "four PutSnapshotBlock calls were refused");
  assertSnapshotHoldsDisk(cloud, result.snapshotId, disk);
});

test("a block whose bytes arrive corrupted fails its checksum and is sent again; the snapshot holds the disk's bytes", async () => {
  const { cloud, journal } = setup();
  cloud.faults.corruptNextBlocks = 2;
  const result = await upload(cloud, journal, { path: disk.raw, sha256: disk.sha256 });
  assert.equal(cloud.faults.corruptNextBlocks, 0, "two blocks arrived corrupted");
  assert.equal(result.changedBlocks, 6, "each block counts once, however often it was sent");
  assertSnapshotHoldsDisk(cloud, result.snapshotId, disk);
});

test("EBS checks each block: a wrong checksum, a short block or an index past the volume is refused", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { snapshotId } = await cloud.ports.ebs.startSnapshot(region, { volumeSizeGiB: 1, description: "d", tags: {}, clientToken: "t", timeoutMinutes: 60 });
  const block = disk.blocks.get(0)!;
  const refused = (reason: RegExp) => (e: unknown) => e instanceof CloudError && e.code === "ValidationException" && reason.test(e.message);
  await assert.rejects(cloud.ports.ebs.putSnapshotBlock(region, { snapshotId, blockIndex: 0, data: block, checksum: "AAAA" }), refused(/checksum/));
  await assert.rejects(
    cloud.ports.ebs.putSnapshotBlock(region, { snapshotId, blockIndex: 0, data: block.subarray(0, 4096), checksum: "AAAA" }),
    refused(/INVALID_BLOCK/),
  );
  await assert.rejects(cloud.ports.ebs.putSnapshotBlock(region, { snapshotId, blockIndex: 2048, data: block, checksum: "AAAA" }), refused(/outside/));
  assert.equal(cloud.state.snapshots.find((s) => s.snapshotId === snapshotId)!.direct!.blocks.size, 0);
});

test("a snapshot left without a write for its Timeout goes to error and takes no more blocks", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { snapshotId } = await cloud.ports.ebs.startSnapshot(region, { volumeSizeGiB: 1, description: "d", tags: {}, clientToken: "t", timeoutMinutes: 10 });
  assert.equal((await cloud.ports.ec2.describeSnapshot(region, snapshotId))?.state, "pending");
  await cloud.clock.sleep(11 * 60_000);
  const described = await cloud.ports.ec2.describeSnapshot(region, snapshotId);
  assert.equal(described?.state, "error");
  assert.match(described?.stateMessage ?? "", /10 minutes/);
  await assert.rejects(cloud.ports.ebs.completeSnapshot(region, snapshotId, 0), /not pending/);
});

test("a snapshot that goes to error after CompleteSnapshot fails the upload with EBS's reason", async () => {
  const { cloud, journal } = setup();
  cloud.faults.snapshotFailsAfterComplete = true;
  await assert.rejects(upload(cloud, journal, { path: disk.raw }), /went to error after CompleteSnapshot: the snapshot could not be completed/);
});

test("a disk that is not the tested one (its SHA-256 differs) is never completed", async () => {
  const { cloud, journal } = setup();
  await assert.rejects(upload(cloud, journal, { path: disk.raw, sha256: "0".repeat(64) }), /is not the disk that was tested/);
  const [snapshot] = cloud.state.snapshots;
  assert.equal(snapshot?.direct?.completedAt, undefined, "CompleteSnapshot was not called");
});

for (const [what, at, skip] of [
  ["after StartSnapshot, before the journal heard of it", "StartSnapshot", 0],
  ["mid-upload, after three blocks", "PutSnapshotBlock", 3],
] as const) {
  test(`killed ${what}: the rerun's settle step deletes the snapshot, nothing leaks`, async () => {
    const { cloud, journal, journalPath } = setup();
    const kill = armKill(cloud, journalPath, (operation) => operation === at, { skip });
    await assert.rejects(upload(cloud, journal, { path: disk.zst, sha256: disk.sha256, logicalBytes: disk.logicalBytes }));
    assert.ok(kill.fired);
    kill.settle();
    assert.equal(cloud.listLeftovers().length, 1, "the half-written snapshot is left");
    const settled = await settleJournalFile(startCloudRun(cloud.ports), journalPath);
    assert.deepEqual(settled.problems, []);
    assert.deepEqual(cloud.listLeftovers(), []);
    assert.equal(cloud.state.snapshots.filter((s) => !s.deleted).length, 0);
  });
}
