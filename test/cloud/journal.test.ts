import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { dirname } from "node:path";
import { test } from "node:test";
import { markDeleted, openJournal, readJournal, recordTemporary, updateRegion, type Journal } from "../../cloud/journal.ts";
import { planPublish } from "../../regions/plan-publish.ts";
import { makeRecipe, tempJournalPath } from "../aws/fixtures.ts";

const fresh = (buildId: string): Journal => ({
  version: 1,
  buildId,
  recipe: "rtcgw",
  recipeVersion: "0.1.0",
  amiName: "n",
  sourceRegion: "us-east-1",
  temporary: [],
  regions: {},
});

test("every journal change is on disk at once, through a temp file renamed over the old one", () => {
  const path = tempJournalPath();
  const journal = openJournal(path, fresh("b1"));
  recordTemporary(journal, { kind: "instance", region: "us-east-1", id: "i-1" });
  assert.deepEqual(readJournal(path)!.temporary, [{ kind: "instance", region: "us-east-1", id: "i-1", deleted: false }]);
  updateRegion(journal, "eu-west-1", { status: "copying", imageId: "ami-1" });
  assert.equal(readJournal(path)!.regions["eu-west-1"]!.imageId, "ami-1");
  assert.deepEqual(readdirSync(dirname(path)), ["journal.json"], "no temp file left behind");
});

test("a new build keeps an unfinished journal of another build beside it", () => {
  const path = tempJournalPath();
  const old = openJournal(path, fresh("old"));
  recordTemporary(old, { kind: "security-group", region: "us-east-1", id: "sg-1" });
  openJournal(path, fresh("new"));
  assert.equal(readJournal(path)!.buildId, "new");
  assert.equal(readJournal(`${path}.old`)!.temporary[0]!.id, "sg-1");
  const reopened = openJournal(path, fresh("new"));
  assert.equal(reopened.read().buildId, "new");
  assert.ok(!existsSync(`${path}.new`));
});

test("the publish plan resumes recorded copies, skips published regions and retries failed ones", () => {
  const journal: Journal = {
    ...fresh("b1"),
    regions: {
      "us-east-1": { status: "published", imageId: "ami-s" },
      "eu-west-1": { status: "copying", imageId: "ami-c" },
      "eu-central-1": { status: "failed", imageId: "ami-f" },
    },
  };
  const plan = planPublish({
    recipe: makeRecipe(),
    buildId: "b1",
    amiName: "n",
    sourceRegion: "us-east-1",
    regions: ["us-east-1", "eu-west-1", "eu-central-1", "ap-south-1"],
    artifactBucket: "bk",
    journal,
  });
  assert.deepEqual(
    plan.regions.map((r) => `${r.region}:${r.action}`),
    ["us-east-1:done", "ap-south-1:copy", "eu-central-1:copy", "eu-west-1:resume"],
  );
  assert.deepEqual(plan.regions.find((r) => r.region === "eu-west-1")!.parameters, ["/rtcgw/0.1.0/ami-id", "/rtcgw/latest"]);
  const other = planPublish({
    recipe: makeRecipe(),
    buildId: "b2",
    amiName: "n",
    sourceRegion: "us-east-1",
    regions: ["us-east-1", "eu-west-1"],
    artifactBucket: "bk",
    journal,
  });
  assert.deepEqual(
    other.regions.map((r) => r.action),
    ["source", "copy"],
    "another build's journal is ignored",
  );
});

test("a resource recreated under an id the journal marked deleted is live again (a rerun reuses names)", () => {
  const journal = openJournal(tempJournalPath(), fresh("b1"));
  recordTemporary(journal, { kind: "role", region: "global", id: "rtcgw-build-b1" });
  markDeleted(journal, "role", "rtcgw-build-b1");
  recordTemporary(journal, { kind: "role", region: "global", id: "rtcgw-build-b1" });
  assert.deepEqual(
    journal.read().temporary,
    [{ kind: "role", region: "global", id: "rtcgw-build-b1", deleted: false }],
    "one entry, live: cleanup will delete it",
  );
});
