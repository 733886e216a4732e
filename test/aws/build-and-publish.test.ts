import assert from "node:assert/strict";
import { test } from "node:test";
import { readJournal } from "../../cloud/journal.ts";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

test("a build makes a private, IMDSv2-only, smoke-tested AMI and leaves no temporary resource", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-central-1"] });
  const journalPath = tempJournalPath();
  const result = await buildAwsImage({ recipe: makeRecipe(), bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.ok(result.ok);
  assert.deepEqual(cloud.listLeftovers(), []);
  const [image, ...others] = cloud.listOwnImages();
  assert.equal(others.length, 0);
  assert.equal(image!.imageId, result.imageId);
  assert.equal(image!.state, "available");
  assert.equal(image!.imdsV2, true);
  assert.equal(image!.public, false);
  assert.equal(image!.provisioned, true);
  assert.equal(image!.tags["rtcgw:build"], result.buildId);
  assert.equal(image!.tags["rtcgw:smoke"], "passed");
  for (const instance of cloud.state.instances) assert.equal(instance.tags["rtcgw:build"], result.buildId);
  const journal = readJournal(journalPath)!;
  assert.ok(journal.temporary.length >= 6, "instances, SG, role, profile, staging object and commands are journaled");
  assert.deepEqual(
    journal.temporary.filter((r) => !r.deleted),
    [],
  );
});

test("publishing copies to every region, sets parameters and artifacts; a re-run creates nothing", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1", "eu-central-1", "ap-southeast-2"] });
  const recipe = makeRecipe({ regions: ["us-east-1", "eu-central-1", "ap-southeast-2"], publish: { visibility: { accounts: ["444455556666"] } } });
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.ok(built.ok);
  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
  assert.equal(published.kind, "published", JSON.stringify(published));
  for (const region of ["us-east-1", "eu-central-1", "ap-southeast-2"]) {
    const images = cloud.listOwnImages(region);
    assert.equal(images.length, 1, region);
    assert.deepEqual(images[0]!.launchAccounts, ["444455556666"]);
    assert.equal(images[0]!.public, false);
    assert.ok(images[0]!.deprecationTime);
    assert.equal(cloud.state.parameters.get(`${region}:/rtcgw/0.1.0/ami-id`)?.value, images[0]!.imageId);
    assert.equal(cloud.state.parameters.get(`${region}:/rtcgw/latest`)?.value, images[0]!.imageId);
    const snapshot = cloud.state.snapshots.find((s) => s.snapshotId === images[0]!.snapshotIds[0]);
    assert.deepEqual(snapshot?.accounts, ["444455556666"]);
  }
  const journal = readJournal(journalPath)!;
  assert.deepEqual(
    Object.values(journal.regions).map((r) => r.status),
    ["published", "published", "published"],
  );
  const bucket = cloud.state.buckets.get("rtcgw-111122223333-us-east-1")!;
  const manifest = JSON.parse(Buffer.from(bucket.objects.get("rtcgw/0.1.0/manifest.json")!).toString());
  assert.equal(Object.keys(manifest.regions).length, 3);

  const before = JSON.stringify({
    images: cloud.state.images.length,
    snapshots: cloud.state.snapshots.length,
    instances: cloud.state.instances.length,
    params: [...cloud.state.parameters.values()],
    objects: [...bucket.objects.keys()],
  });
  const rebuilt = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.equal(rebuilt.kind, "reused");
  const republished = await publishImage(
    { recipe, buildId: rebuilt.ok ? rebuilt.buildId : "", sourceRegion: "us-east-1", sourceImageId: rebuilt.ok ? rebuilt.imageId : "", journalPath },
    cloud.ports,
  );
  assert.equal(republished.kind, "published");
  const after = JSON.stringify({
    images: cloud.state.images.length,
    snapshots: cloud.state.snapshots.length,
    instances: cloud.state.instances.length,
    params: [...cloud.state.parameters.values()],
    objects: [...bucket.objects.keys()],
  });
  assert.equal(after, before);
});
