// Issue 14, defect 3: snapshots and volumes that carry rtcgw's build tag but belong to no image or instance any more (a
// process killed right after DeregisterImage, before DeleteSnapshot) are found and deleted by `sweep`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { sweep } from "../../regions/sweep.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";
import { armKill } from "./simulate-kill.ts";

const regions = ["us-east-1", "eu-central-1"];

test("killed right after DeregisterImage: sweep --all finds the candidate's snapshot and deletes it; a second sweep finds nothing", async () => {
  const cloud = createFakeCloud({ regions, faults: { smokeFails: true } });
  const journalPath = tempJournalPath();
  const kill = armKill(cloud, journalPath, (operation) => operation === "DeleteSnapshot", { before: true });
  await buildAwsImage({ recipe: makeRecipe({ regions }), bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  kill.settle();
  assert.ok(kill.fired);
  const orphan = cloud.state.snapshots.find((s) => !s.deleted && s.tags["rtcgw:build"]);
  assert.ok(orphan, "the candidate's snapshot outlived its image");
  assert.ok(cloud.state.images.every((i) => i.deregistered || !i.snapshotIds.includes(orphan.snapshotId)));
  assert.ok(cloud.listLeftovers().includes(`snapshot ${orphan.snapshotId} (us-east-1)`), "the fake counts it as a leftover");
  const swept = await sweep({ regions }, cloud.ports);
  assert.deepEqual(swept.problems, []);
  assert.ok(
    swept.found.some((f) => f.kind === "snapshot" && f.id === orphan.snapshotId),
    JSON.stringify(swept.found),
  );
  assert.equal(cloud.state.snapshots.find((s) => s.snapshotId === orphan.snapshotId)!.deleted, true);
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual((await sweep({ regions, dryRun: true }, cloud.ports)).found, []);
});

test("sweep deletes a tagged volume attached to nothing, never a snapshot of a published image or an untagged volume", async () => {
  const cloud = createFakeCloud({ regions });
  const recipe = makeRecipe({ regions });
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.ok(built.ok);
  cloud.state.volumes.push({ volumeId: "vol-0000000000000abcd", region: "eu-central-1", tags: { "rtcgw:build": built.buildId }, deleted: false });
  cloud.state.volumes.push({ volumeId: "vol-0000000000000beef", region: "eu-central-1", tags: { owner: "someone-else" }, deleted: false });
  const swept = await sweep({ regions }, cloud.ports);
  assert.deepEqual(
    swept.found.map((f) => `${f.kind} ${f.id}`),
    ["volume vol-0000000000000abcd"],
  );
  assert.deepEqual(
    cloud.state.volumes.filter((v) => !v.instanceId).map((v) => [v.volumeId, v.deleted]),
    [
      ["vol-0000000000000abcd", true],
      ["vol-0000000000000beef", false],
    ],
  );
  const image = cloud.listOwnImages("us-east-1")[0]!;
  assert.equal(cloud.state.snapshots.find((s) => s.snapshotId === image.snapshotIds[0])!.deleted, false, "the built image keeps its snapshot");
});
