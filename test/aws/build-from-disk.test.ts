import assert from "node:assert/strict";
import { test } from "node:test";
import { readJournal } from "../../cloud/journal.ts";
import { tagKeys } from "../../cloud/naming.ts";
import { buildFromDisk, type TestedDisk } from "../../image/builders/aws/build-from-disk.ts";
import { renderManifest } from "../../regions/artifacts/render-manifest.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { readSnapshotBlock } from "../fakes/aws/fake-ebs.ts";
import { makeRecipe, tempJournalPath } from "./fixtures.ts";
import { armKill } from "./simulate-kill.ts";
import { makeSparseDisk } from "./sparse-disk.ts";

// The disk builder against the fake cloud: the tested disk's bytes become the AMI, smoke-checked from outside, then
// published; a failing smoke check, a disk that is not the tested one and a kill mid-upload leave nothing behind.
const region = "us-east-1";
const recipe = makeRecipe({ regions: [region] });
const sparse = makeSparseDisk({ sizeBytes: 16 * 1024 * 1024, dataBlocks: [0, 1, 9, 31] });
const disk: TestedDisk = { path: sparse.zst, sha256: sparse.sha256, logicalBytes: sparse.logicalBytes, bundleHash: "0123456789abcdef0123" };

const build = (cloud: FakeCloud, journalPath: string, input: TestedDisk = disk) =>
  buildFromDisk({ recipe, disk: input, region, journalPath }, cloud.ports, cloud.probe);

// Every live snapshot of the account, by id.
const liveSnapshots = (cloud: FakeCloud) => cloud.state.snapshots.filter((s) => !s.deleted);

test("the tested disk becomes a smoke-checked AMI holding its bytes; publish's manifest names the disk and the snapshot; a rerun reuses it", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const journalPath = tempJournalPath();
  const steps: string[] = [];
  const built = await buildFromDisk({ recipe, disk, region, journalPath }, cloud.ports, cloud.probe, undefined, (e) => {
    if (e.state === "start") steps.push(e.step);
  });
  assert.equal(built.kind, "built", JSON.stringify(built));
  assert.ok(built.ok);
  assert.deepEqual(steps, ["settle", "base-image", "upload", "create-image", "security-group", "smoke", "cleanup"]);
  const image = cloud.state.images.find((i) => i.imageId === built.imageId)!;
  assert.equal(image.tags[tagKeys.smoke], "passed");
  assert.match(image.registered!.description, /bundle 0123456789ab/);
  assert.deepEqual([image.registered!.bootMode, image.imdsV2, image.registered!.volumeSizeGiB], ["uefi-preferred", true, recipe.image.disk.sizeGiB]);
  const [snapshot] = liveSnapshots(cloud);
  assert.deepEqual(image.snapshotIds, [snapshot!.snapshotId]);
  for (const [index, data] of sparse.blocks) assert.ok(Buffer.from(readSnapshotBlock(snapshot!, index)).equals(data), `block ${index}`);
  assert.equal(snapshot!.direct!.blocks.size, 4, "the zero blocks were not sent");
  assert.deepEqual(cloud.listLeftovers(), []);

  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: region, sourceImageId: built.imageId, journalPath }, cloud.ports);
  assert.equal(published.kind, "published", JSON.stringify(published));
  const manifest = renderManifest(readJournal(journalPath)!);
  assert.deepEqual(manifest.disk, {
    sha256: sparse.sha256,
    logicalBytes: sparse.logicalBytes,
    snapshotId: snapshot!.snapshotId,
    changedBlocks: 4,
    uploadedBytes: 4 * 524_288,
  });

  const again = await build(cloud, journalPath);
  assert.deepEqual([again.kind, again.ok && again.imageId], ["reused", built.imageId]);
  assert.equal(liveSnapshots(cloud).filter((s) => s.region === region).length, 1, "nothing uploaded again");
});

test("a failing smoke check from outside fails the build at smoke and removes the candidate, its snapshot, the instance and the group", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { registeredImagesServe: false } });
  const built = await build(cloud, tempJournalPath());
  assert.equal(built.kind, "failed");
  assert.ok(!built.ok && built.kind === "failed");
  assert.equal(built.step, "smoke");
  assert.match(
    built.error,
    /smoke check from outside failed on i-[0-9a-f]+: the candidate ami-[0-9a-f]+ is deregistered \(kamailio answers SIP OPTIONS over UDP: no answer/,
  );
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(cloud.listOwnImages(), []);
  assert.deepEqual(liveSnapshots(cloud), []);
});

test("a disk whose bytes are not the tested ones fails at upload, before CompleteSnapshot, and leaves nothing", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const built = await build(cloud, tempJournalPath(), { ...disk, sha256: "f".repeat(64) });
  assert.ok(!built.ok && built.kind === "failed");
  assert.equal(built.step, "upload");
  assert.match(built.error, /is not the disk that was tested/);
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(liveSnapshots(cloud), []);
});

test("killed mid-upload: the rerun removes the half-written snapshot first, uploads again and leaves only the image's snapshot", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const journalPath = tempJournalPath();
  const kill = armKill(cloud, journalPath, (operation) => operation === "PutSnapshotBlock", { skip: 2 });
  const first = await build(cloud, journalPath);
  assert.ok(kill.fired && !first.ok);
  kill.settle();
  assert.equal(liveSnapshots(cloud).length, 1, "the killed run left its snapshot");
  const second = await build(cloud, journalPath);
  assert.equal(second.kind, "built", JSON.stringify(second));
  assert.deepEqual(cloud.listLeftovers(), []);
  const image = cloud.state.images.find((i) => second.ok && i.imageId === second.imageId)!;
  assert.deepEqual(
    liveSnapshots(cloud).map((s) => s.snapshotId),
    image.snapshotIds,
  );
});

test("killed right after the smoke mark, before the journal heard of it: the rerun keeps the image and its snapshot, removes the rest and reuses it", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const journalPath = tempJournalPath();
  const kill = armKill(cloud, journalPath, (operation) => operation === "CreateTags");
  await build(cloud, journalPath); // what the dead process went on to do never reached the cloud
  assert.ok(kill.fired);
  kill.settle();
  const second = await build(cloud, journalPath);
  assert.equal(second.kind, "reused", JSON.stringify(second));
  assert.deepEqual(second.ok && second.cleanupProblems, []);
  assert.deepEqual(cloud.listLeftovers(), []);
  const image = cloud.state.images.find((i) => second.ok && i.imageId === second.imageId)!;
  assert.equal(image.tags[tagKeys.smoke], "passed");
  assert.deepEqual(
    liveSnapshots(cloud).map((s) => s.snapshotId),
    image.snapshotIds,
  );
});
