import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import type { CloudPorts } from "../../cloud/ports.ts";
import { createSdkPorts } from "../../cloud/sdk/create-sdk-ports.ts";
import { readJournal } from "../../cloud/journal.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

// The whole build and publish with every cloud call made by real SDK v3 clients (EC2, SSM, S3, S3 Control, IAM, STS)
// against the in-process endpoint; only time is virtual.
let cloud: FakeCloud;
let endpoint: FakeEndpoint;

before(async () => {
  cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  endpoint = await startFakeEndpoint(cloud);
});
after(() => endpoint.close());

test("build and public publish over the SDK adapters: a tested AMI in both regions, shared templates, no temporary resource left", async () => {
  const sdk = createSdkPorts({
    region: "us-east-1",
    endpoint: endpoint.url,
    credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" },
    maxAttempts: 3,
  });
  const ports: CloudPorts = { ...sdk, clock: cloud.clock };
  const recipe = makeRecipe({ regions: ["us-east-1", "eu-west-1"], publish: { visibility: "public" } });
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, ports);
  assert.equal(built.kind, "built", JSON.stringify(built));
  assert.ok(built.ok);
  assert.deepEqual(built.cleanupProblems, []);
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(
    readJournal(journalPath)!.temporary.filter((r) => !r.deleted),
    [],
  );
  const [candidate] = cloud.listOwnImages("us-east-1");
  assert.deepEqual([candidate?.imageId, candidate?.imdsV2, candidate?.provisioned, candidate?.tags["rtcgw:smoke"]], [built.imageId, true, true, "passed"]);
  assert.ok(cloud.state.instances.every((i) => i.imdsV2Required && i.tags["rtcgw:build"] === built.buildId));

  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, ports);
  assert.equal(published.kind, "published", JSON.stringify(published));
  for (const region of ["us-east-1", "eu-west-1"]) {
    const [image] = cloud.listOwnImages(region);
    assert.deepEqual([image?.state, image?.public, Boolean(image?.deprecationTime)], ["available", true, true], region);
    assert.equal(cloud.state.parameters.get(`${region}:/rtcgw/latest`)?.value, image!.imageId);
  }
  const template = await fetch(`${endpoint.url}/rtcgw-111122223333-us-east-1/rtcgw/0.1.0/single-instance.template.json`);
  assert.equal(template.status, 200, "anyone can read the Launch-stack template");
  const log = [...cloud.state.buckets.get("rtcgw-111122223333-us-east-1")!.objects.keys()].find((k) => k.startsWith("logs/"))!;
  assert.equal((await fetch(`${endpoint.url}/rtcgw-111122223333-us-east-1/${log}`)).status, 403);
});
