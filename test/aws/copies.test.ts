// Issue 14, defects 9 and 10: every regional copy is IMDSv2-only like the source image, and a copy refused for the
// region's limit of concurrent copies (ResourceLimitExceeded) waits for a free slot instead of failing the region.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readJournal } from "../../cloud/journal.ts";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const regions = ["us-east-1", "eu-central-1", "ap-southeast-2"];

async function buildAndPublish(cloud: FakeCloud) {
  const recipe = makeRecipe({ regions, publish: { visibility: "public" } });
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.ok(built.ok, JSON.stringify(built));
  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
  return { published, journalPath };
}

test("every regional copy is IMDSv2-only before it is shared", async () => {
  const cloud = createFakeCloud({ regions });
  let sharedBeforeImds = false;
  cloud.faults.onCall = (operation, region) => {
    const copy = cloud.state.images.find((i) => i.region === region && i.ownerId === cloud.state.accountId && !i.deregistered);
    if (operation === "EnableImageDeprecation" && copy && !copy.imdsV2) sharedBeforeImds = true;
  };
  const { published } = await buildAndPublish(cloud);
  assert.equal(published.kind, "published", JSON.stringify(published));
  for (const region of regions)
    assert.deepEqual(
      cloud.listOwnImages(region).map((i) => [i.imdsV2, i.public]),
      [[true, true]],
      region,
    );
  assert.equal(sharedBeforeImds, false, "IMDSv2 was required before the image was shared or deprecated");
});

test("CopyImage refused with ResourceLimitExceeded (the region's concurrent copies) is retried with backoff until a slot frees", async () => {
  const cloud = createFakeCloud({ regions, faults: { concurrentCopyLimit: 1 } });
  // Another copy into eu-central-1 is in flight for the next 40 minutes, taking its only slot.
  cloud.state.images.push({
    imageId: "ami-0000000000000ffff",
    region: "eu-central-1",
    name: "someone-elses-copy",
    ownerId: cloud.state.accountId,
    createdAt: cloud.clock.now(),
    availableAt: cloud.clock.now() + 40 * 60_000,
    fails: false,
    deregistered: false,
    public: false,
    launchAccounts: [],
    tags: {},
    snapshotIds: [],
    imdsV2: true,
    encrypted: false,
    provisioned: true,
    arch: "amd64",
    ssmAgent: true,
    sealed: true,
  });
  let refused = 0;
  const copyImage = cloud.ports.ec2.copyImage.bind(cloud.ports.ec2);
  cloud.ports.ec2.copyImage = (region, input) =>
    copyImage(region, input).catch((error: Error) => Promise.reject(((refused += /ResourceLimitExceeded/.test(error.message) ? 1 : 0), error)));
  const { published, journalPath } = await buildAndPublish(cloud);
  assert.equal(published.kind, "published", JSON.stringify(published));
  assert.ok(refused > 1, `CopyImage was refused ${refused} times before the slot freed`);
  assert.equal(readJournal(journalPath)!.regions["eu-central-1"]!.status, "published");
  assert.equal(cloud.listOwnImages("eu-central-1").filter((i) => i.name !== "someone-elses-copy").length, 1, "one copy of ours");
});
