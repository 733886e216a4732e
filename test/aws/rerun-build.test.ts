// Issue 14, defects 1 and 2: a build that failed, or was killed, can be run again, and the rerun first removes what the
// earlier attempt left (the journal's temporary resources and whatever carries the build's tag), whichever path it takes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readJournal } from "../../cloud/journal.ts";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";
import { armKill } from "./simulate-kill.ts";

const regions = ["us-east-1", "eu-central-1"];
const recipe = makeRecipe({ regions });

const build = (cloud: FakeCloud, journalPath: string) => buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);

function assertClean(cloud: FakeCloud, journalPath: string) {
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(
    readJournal(journalPath)!.temporary.filter((r) => !r.deleted),
    [],
    "the journal lists nothing live",
  );
}

for (const fault of ["provisionFails", "smokeFails"] as const) {
  test(`after a failed build (${fault}) the rerun succeeds with a fresh RunInstances token and leaves nothing, and so does a third run`, async () => {
    const cloud = createFakeCloud({ regions, faults: { [fault]: true } });
    const journalPath = tempJournalPath();
    const failed = await build(cloud, journalPath);
    assert.equal(failed.kind, "failed", JSON.stringify(failed));
    cloud.faults[fault] = false;
    const rerun = await build(cloud, journalPath);
    assert.equal(rerun.kind, "built", JSON.stringify(rerun));
    assertClean(cloud, journalPath);
    assert.equal(new Set(cloud.state.instances.map((i) => i.instanceId)).size, cloud.state.instances.length);
    const again = await build(cloud, journalPath);
    assert.equal(again.kind, "reused", JSON.stringify(again));
    assertClean(cloud, journalPath);
  });
}

test("a build killed during provisioning (kill -9: no cleanup) is cleaned up and built by the rerun", async () => {
  const cloud = createFakeCloud({ regions });
  const journalPath = tempJournalPath();
  const kill = armKill(cloud, journalPath, (operation) => operation === "GetCommandInvocation" && cloud.clock.elapsed() > 4 * 60_000);
  const killed = await build(cloud, journalPath);
  kill.settle();
  assert.ok(kill.fired && killed.kind === "failed", JSON.stringify(killed));
  assert.ok(
    cloud.listLeftovers().some((l) => l.startsWith("role")),
    "the killed build left its role",
  );
  const rerun = await build(cloud, journalPath);
  assert.equal(rerun.kind, "built", JSON.stringify(rerun));
  assertClean(cloud, journalPath);
});

test("a build killed right after its smoke test passed: the rerun reuses the image and first removes the old instances, group, role, profile and bundle", async () => {
  const cloud = createFakeCloud({ regions });
  const journalPath = tempJournalPath();
  const kill = armKill(cloud, journalPath, (operation) => operation === "CreateTags");
  const killed = await build(cloud, journalPath);
  kill.settle();
  assert.ok(kill.fired, JSON.stringify(killed));
  assert.ok(cloud.listLeftovers().filter((l) => /^instance i-/.test(l)).length === 2, cloud.listLeftovers().join(", "));
  const rerun = await build(cloud, journalPath);
  assert.equal(rerun.kind, "reused", JSON.stringify(rerun));
  assertClean(cloud, journalPath);
});
