import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { readJournal } from "../../cloud/journal.ts";
import { publishImage, resumePublish } from "../../regions/publish-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const regions = ["us-east-1", "us-west-2", "eu-central-1", "eu-west-1", "ap-northeast-1", "sa-east-1"];

async function buildFor(cloud: FakeCloud, visibility: unknown = "private") {
  const recipe = makeRecipe({ regions, publish: { visibility } });
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  assert.ok(built.ok, JSON.stringify(built));
  const options = { recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath };
  return { recipe, journalPath, options };
}

function goPage(cloud: FakeCloud): string {
  return Buffer.from(cloud.state.buckets.get("rtcgw-111122223333-us-east-1")!.objects.get("rtcgw/0.1.0/index.html")!).toString();
}

test("one region's copy failing keeps the others, reports per region, and a resume finishes it with a new copy", async () => {
  const cloud = createFakeCloud({ regions, faults: { copyFailsIn: ["eu-west-1"] } });
  const { options, journalPath, recipe } = await buildFor(cloud, "public");
  const result = await publishImage(options, cloud.ports);
  assert.equal(result.kind, "partial");
  assert.equal(result.ok, false);
  const failed = result.kind === "partial" ? result.regions.filter((r) => !r.ok).map((r) => r.region) : [];
  assert.deepEqual(failed, ["eu-west-1"]);
  const journal = readJournal(journalPath)!;
  assert.equal(journal.regions["eu-west-1"]!.status, "failed");
  assert.deepEqual(
    regions.filter((r) => journal.regions[r]!.status === "published"),
    regions.filter((r) => r !== "eu-west-1"),
  );
  assert.deepEqual(cloud.listOwnImages("eu-west-1"), [], "the failed copy is deregistered");
  assert.equal(cloud.state.parameters.has("eu-west-1:/rtcgw/latest"), false);
  assert.ok(cloud.listOwnImages().every((i) => i.public));
  assert.doesNotMatch(goPage(cloud), /data-region="eu-west-1"/);
  assert.match(goPage(cloud), /data-region="sa-east-1"/);
  assert.deepEqual(cloud.listLeftovers(), []);

  cloud.faults.copyFailsIn = [];
  const versions = regions.map((r) => cloud.state.parameters.get(`${r}:/rtcgw/latest`)?.version);
  const resumed = await resumePublish({ recipe, journalPath }, cloud.ports);
  assert.equal(resumed.kind, "published", JSON.stringify(resumed));
  assert.equal(cloud.listOwnImages("eu-west-1").length, 1);
  assert.equal(cloud.listOwnImages("eu-west-1")[0]!.state, "available");
  assert.deepEqual(
    regions.filter((r) => r !== "eu-west-1").map((r) => cloud.state.parameters.get(`${r}:/rtcgw/latest`)?.version),
    versions.filter((v) => v !== undefined),
    "published regions were not touched",
  );
  assert.match(goPage(cloud), /data-region="eu-west-1"/);
});

test("a crash after half the copies resumes from the journal without a second copy anywhere", async () => {
  const cloud = createFakeCloud({ regions, timings: { copyMsByRegion: { "us-west-2": 5 * 60_000, "eu-central-1": 8 * 60_000 }, copyMs: 60 * 60_000 } });
  const { options, journalPath, recipe } = await buildFor(cloud);
  const controller = new AbortController();
  let crashJournal = "";
  let copies = 0;
  const start = cloud.clock.now();
  cloud.faults.onCall = (operation) => {
    if (operation === "CopyImage") copies++;
    if (!crashJournal && cloud.clock.now() - start > 20 * 60_000) {
      crashJournal = readFileSync(journalPath, "utf8");
      controller.abort(new Error("crash"));
    }
  };
  const aborted = await publishImage(options, cloud.ports, controller.signal);
  assert.equal(aborted.kind, "aborted");
  writeFileSync(journalPath, crashJournal);
  const atCrash = readJournal(journalPath)!;
  const done = Object.entries(atCrash.regions)
    .filter(([, e]) => e.status === "published")
    .map(([r]) => r)
    .sort();
  assert.deepEqual(done, ["eu-central-1", "us-east-1", "us-west-2"], "the fast copies finished before the crash");
  assert.equal(copies, regions.length - 1);
  const doneImages = done.map((r) => cloud.listOwnImages(r)[0]!.imageId);
  cloud.faults.onCall = undefined;
  const resumed = await resumePublish({ recipe, journalPath }, cloud.ports);
  assert.equal(resumed.kind, "published", JSON.stringify(resumed));
  for (const region of regions) assert.equal(cloud.listOwnImages(region).length, 1, `one image in ${region}`);
  assert.deepEqual(
    done.map((r) => cloud.listOwnImages(r)[0]!.imageId),
    doneImages,
  );
  assert.deepEqual(
    done.map((r) => cloud.state.parameters.get(`${r}:/rtcgw/latest`)?.version),
    [1, 1, 1],
    "finished regions untouched",
  );
  assert.deepEqual(
    Object.values(readJournal(journalPath)!.regions).map((e) => e.status),
    regions.map(() => "published"),
  );
  assert.deepEqual(cloud.listLeftovers(), []);
});

test("a crash between CopyImage and the journal write makes no second copy on resume", async () => {
  const cloud = createFakeCloud({ regions });
  const { options, journalPath, recipe } = await buildFor(cloud);
  const controller = new AbortController();
  let before = "";
  cloud.faults.onCall = (operation, region) => {
    if (operation === "CopyImage" && region === "eu-west-1" && !before) {
      before = readFileSync(journalPath, "utf8");
      controller.abort(new Error("crash"));
    }
  };
  await publishImage(options, cloud.ports, controller.signal);
  writeFileSync(journalPath, before);
  assert.equal(readJournal(journalPath)!.regions["eu-west-1"]?.imageId, undefined, "the journal never saw this copy");
  cloud.faults.onCall = undefined;
  const resumed = await resumePublish({ recipe, journalPath }, cloud.ports);
  assert.equal(resumed.kind, "published");
  assert.equal(cloud.listOwnImages("eu-west-1").length, 1);
});

test("abort during copies keeps the copies for resume and leaves no temporary resource", async () => {
  const cloud = createFakeCloud({ regions });
  const { options, journalPath, recipe } = await buildFor(cloud);
  const controller = new AbortController();
  cloud.faults.onCall = (operation) => {
    if (operation === "DescribeImages" && cloud.state.images.filter((i) => i.ownerId === cloud.state.accountId).length === regions.length)
      controller.abort(new Error("SIGINT"));
  };
  const aborted = await publishImage(options, cloud.ports, controller.signal);
  assert.equal(aborted.kind, "aborted");
  const journal = readJournal(journalPath)!;
  assert.ok(
    regions.slice(1).every((r) => journal.regions[r]!.imageId),
    "every copy is journaled",
  );
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.equal([...cloud.state.parameters.keys()].filter((k) => !k.startsWith("us-east-1")).length, 0, "nothing published for unfinished copies");
  cloud.faults.onCall = undefined;
  assert.equal((await resumePublish({ recipe, journalPath }, cloud.ports)).kind, "published");
});

test("throttling during copies is retried; block public access switched on after pre-flight fails only that region", async () => {
  const cloud = createFakeCloud({ regions });
  const { options, journalPath } = await buildFor(cloud, "public");
  let bursts = 0;
  cloud.faults.onCall = (operation) => {
    if (operation === "CopyImage" && bursts++ < 4) cloud.faults.throttleNext = 5;
    if (operation === "CopyImage") cloud.faults.blockPublicAccessIn = ["ap-northeast-1"];
  };
  const result = await publishImage(options, cloud.ports);
  assert.equal(result.kind, "partial");
  const journal = readJournal(journalPath)!;
  assert.equal(journal.regions["ap-northeast-1"]!.status, "failed");
  assert.match(journal.regions["ap-northeast-1"]!.error ?? "", /OperationNotPermitted/);
  assert.equal(cloud.listOwnImages("ap-northeast-1")[0]!.public, false, "nothing public where it was refused");
  assert.equal(cloud.state.parameters.has("ap-northeast-1:/rtcgw/latest"), false);
  for (const region of regions.filter((r) => r !== "ap-northeast-1")) assert.equal(journal.regions[region]!.status, "published", region);
  for (const region of regions) assert.equal(cloud.listOwnImages(region).length, 1, `one image in ${region} despite throttled CopyImage calls`);
  assert.deepEqual(cloud.listLeftovers(), []);
});

test("sharing an encrypted image with accounts is refused by pre-flight before anything is created", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1"] });
  const recipe = makeRecipe({ regions: ["us-east-1"], publish: { visibility: { accounts: ["444455556666"] } }, image: { disk: { encrypted: true } } });
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(built.kind, "preflight-failed");
  assert.deepEqual(built.kind === "preflight-failed" && built.problems.map((p) => p.code), ["shared-encrypted"]);
  assert.equal(cloud.state.instances.length + cloud.state.buckets.size, 0);
});
