import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { CloudError } from "../../cloud/ports.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { retire } from "../../regions/retire.ts";
import { sweep } from "../../regions/sweep.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const regions = ["us-east-1", "eu-central-1"];

test("sweep deletes what a crashed build left behind, by build tag, and nothing else", async () => {
  const cloud = createFakeCloud({ regions });
  const recipe = makeRecipe({ regions });
  const keeper = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.ok(keeper.ok);
  let crashed = false;
  cloud.faults.onCall = (operation) => {
    if (operation === "GetCommandInvocation" && cloud.clock.elapsed() > 0) crashed = true;
    if (crashed) throw new CloudError("RequestError", "connect ECONNREFUSED (the process is gone)");
  };
  const other = { ...testBundle, files: [...testBundle.files, { path: "files/etc/rtcgw/extra", content: "2\n" }] };
  const dead = await buildAwsImage({ recipe, bundle: other, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(dead.kind, "failed");
  assert.ok(dead.kind === "failed" && dead.cleanupProblems.length > 0, "the crashed run could not clean up");
  assert.ok(cloud.listLeftovers().length >= 4, cloud.listLeftovers().join(", "));
  cloud.faults.onCall = undefined;
  const planned = await sweep(
    { regions, buildId: dead.kind === "failed" ? dead.buildId : "", stagingBucket: "rtcgw-111122223333-us-east-1", dryRun: true },
    cloud.ports,
  );
  assert.equal(planned.deleted, false);
  const roleName = `rtcgw-build-${dead.kind === "failed" ? dead.buildId.slice(0, 12) : ""}`;
  assert.deepEqual(
    planned.found.filter((i) => i.region === "global").map((i) => `${i.kind} ${i.id}`),
    [`instance-profile ${roleName}`, `role ${roleName}`],
  );
  assert.ok(cloud.listLeftovers().length >= 4, "dry-run deletes nothing");
  const swept = await sweep({ regions, buildId: dead.kind === "failed" ? dead.buildId : "", stagingBucket: "rtcgw-111122223333-us-east-1" }, cloud.ports);
  assert.deepEqual(swept.problems, []);
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(
    cloud.listOwnImages().map((i) => i.imageId),
    [keeper.ok ? keeper.imageId : ""],
    "the other build's image is untouched",
  );
});

test("retire --keep 1 deregisters old AMIs with their snapshots, skipping those used by instances, launch templates or `latest`", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1"] });
  const ids: string[] = [];
  for (const version of ["0.1.0", "0.2.0", "0.3.0", "0.4.0"]) {
    const recipe = { ...makeRecipe({ regions: ["us-east-1"] }), version };
    const journalPath = tempJournalPath();
    const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
    assert.ok(built.ok);
    assert.equal(
      (await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports)).kind,
      "published",
    );
    ids.push(built.imageId);
    await cloud.clock.sleep(3600_000);
  }
  const [v1, v2, v3, v4] = ids as [string, string, string, string];
  cloud.state.instances.push({
    instanceId: "i-customer",
    region: "us-east-1",
    imageId: v1,
    tags: {},
    launchedAt: 0,
    profile: "",
    securityGroupId: "",
    imdsV2Required: true,
    provisioned: true,
  });
  cloud.state.launchTemplateImageIds.set("us-east-1", [v2]);
  const v3Snapshots = cloud.listOwnImages("us-east-1").find((i) => i.imageId === v3)!.snapshotIds;
  const result = await retire({ recipe: makeRecipe({ regions: ["us-east-1"] }), keep: 1 }, cloud.ports);
  assert.ok(result.ok);
  const region = result.regions[0]!;
  assert.deepEqual(region.kept, [v4]);
  assert.deepEqual(region.retired, [v3]);
  assert.deepEqual(region.skipped.map((s) => s.imageId).sort(), [v1, v2].sort());
  assert.deepEqual(
    cloud
      .listOwnImages("us-east-1")
      .map((i) => i.imageId)
      .sort(),
    [v1, v2, v4].sort(),
  );
  assert.ok(v3Snapshots.every((s) => cloud.state.snapshots.find((x) => x.snapshotId === s)!.deleted));
});
