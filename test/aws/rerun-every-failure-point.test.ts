// Issue 14's acceptance test: `build-ami --target aws` fails at each step in turn (every write call of a build and
// publish, the SSM agent's registration, the provision and smoke scripts, each copy), once by an error and once by a
// simulated `kill -9` (the call takes effect, the process dies before it can journal it or clean up); then it runs again
// and must succeed with nothing left over, and `sweep --all` must find nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readJournal } from "../../cloud/journal.ts";
import { CloudError } from "../../cloud/ports.ts";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { sweep } from "../../regions/sweep.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import type { FakeFaults } from "../fakes/aws/fake-state.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";
import { armKill } from "./simulate-kill.ts";

const regions = ["us-east-1", "eu-central-1", "ap-southeast-2"];
const recipe = makeRecipe({ regions, publish: { visibility: "public" } });
const bucket = "rtcgw-111122223333-us-east-1";

// What `rtcgw build-ami --target aws` does: build (or reuse), then publish; ok as its exit code 0.
async function buildAmi(cloud: FakeCloud, journalPath: string, onBuilt?: () => void): Promise<{ ok: boolean; detail: string }> {
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports);
  onBuilt?.();
  if (!built.ok) return { ok: false, detail: JSON.stringify(built) };
  const published = await publishImage({ recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.imageId, journalPath }, cloud.ports);
  return { ok: published.ok, detail: JSON.stringify(published.kind === "published" ? { kind: published.kind } : published) };
}

/** The nth call (from 1) of an operation in a region. */
interface CallPoint {
  operation: string;
  region: string;
  nth: number;
}

const isWrite = (operation: string) => !/^(Describe|Get|List|Head)/.test(operation);

// The calls of a clean run, in order: the failure points are the build's write calls (each operation and region once, and
// the smoke test's RunInstances and SendCommand), the SSM agent's registration, the provision script's first poll, and
// every write call of the publish (copies, IMDSv2, sharing, deprecation, parameters, artifacts and bucket settings).
async function listFailurePoints(): Promise<CallPoint[]> {
  const cloud = createFakeCloud({ regions });
  const seen = new Map<string, number>();
  const points: CallPoint[] = [];
  let publishing = false;
  cloud.faults.onCall = (operation, region) => {
    const key = `${operation} ${region}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    const smokeStep = ["RunInstances", "SendCommand"].includes(operation) && nth === 2;
    if (
      (isWrite(operation) && (nth === 1 || publishing)) ||
      smokeStep ||
      (["DescribeInstanceInformation", "GetCommandInvocation"].includes(operation) && nth === 1)
    )
      points.push({ operation, region, nth });
  };
  const run = await buildAmi(cloud, tempJournalPath(), () => void (publishing = true));
  assert.ok(run.ok, run.detail);
  return points;
}

// Fails the point's call once with an error no retry takes for transient.
function injectError(cloud: FakeCloud, point: CallPoint): void {
  let n = 0;
  cloud.faults.onCall = (operation, region) => {
    if (operation === point.operation && region === point.region && ++n === point.nth)
      throw new CloudError("InjectedFault", `${operation} in ${region} failed (injected by the test)`);
  };
}

async function assertRerunSucceedsClean(cloud: FakeCloud, journalPath: string, what: string): Promise<void> {
  const rerun = await buildAmi(cloud, journalPath);
  assert.ok(rerun.ok, `${what}: the rerun failed: ${rerun.detail}`);
  assert.deepEqual(cloud.listLeftovers(), [], `${what}: leftovers after the rerun`);
  assert.deepEqual(
    readJournal(journalPath)!.temporary.filter((r) => !r.deleted),
    [],
    `${what}: the journal still lists live resources`,
  );
  for (const region of regions) {
    const images = cloud.listOwnImages(region);
    assert.deepEqual(
      images.map((i) => [i.state, i.imdsV2, i.public]),
      [["available", true, true]],
      `${what}: one available, IMDSv2-only, public image in ${region}`,
    );
    assert.equal(cloud.state.parameters.get(`${region}:/rtcgw/latest`)?.value, images[0]!.imageId, `${what}: /rtcgw/latest in ${region}`);
  }
  const swept = await sweep({ regions, stagingBucket: bucket, stagingRegion: "us-east-1", dryRun: true }, cloud.ports);
  assert.deepEqual(swept.found, [], `${what}: sweep --all finds something`);
}

test("rerun after every failure point: an error or a kill at each step, then a rerun that succeeds and leaves nothing", async (t) => {
  const points = await listFailurePoints();
  const steps = new Set(points.map((p) => p.operation));
  for (const operation of [
    "RunInstances",
    "DescribeInstanceInformation",
    "SendCommand",
    "StopInstances",
    "CreateImage",
    "CopyImage",
    "ModifyImageAttribute",
    "EnableImageDeprecation",
    "PutParameter",
    "PutObject",
  ]) {
    assert.ok(steps.has(operation), `no failure point at ${operation}: ${[...steps].join(", ")}`);
  }
  t.diagnostic(`${points.length} call points: ${points.map((p) => `${p.operation}#${p.nth}@${p.region}`).join(", ")}`);
  for (const point of points) {
    const name = `${point.operation} #${point.nth} in ${point.region}`;
    await t.test(`error at ${name}`, async () => {
      const cloud = createFakeCloud({ regions });
      const journalPath = tempJournalPath();
      injectError(cloud, point);
      const failed = await buildAmi(cloud, journalPath);
      cloud.faults.onCall = undefined;
      // A failed deletion does not fail the run (it is reported, and the rerun removes it).
      assert.ok(!failed.ok || /^(Terminate|Delete)/.test(point.operation), `the injected error did not fail the run: ${failed.detail}`);
      await assertRerunSucceedsClean(cloud, journalPath, `error at ${name}`);
    });
    await t.test(`kill at ${name}`, async () => {
      const cloud = createFakeCloud({ regions });
      const journalPath = tempJournalPath();
      let n = 0;
      const kill = armKill(cloud, journalPath, (operation, region) => operation === point.operation && region === point.region && ++n === point.nth);
      await buildAmi(cloud, journalPath);
      kill.settle();
      assert.ok(kill.fired);
      await assertRerunSucceedsClean(cloud, journalPath, `kill at ${name}`);
    });
  }
  const faults: [string, Partial<FakeFaults>][] = [
    ["provision script fails", { provisionFails: true }],
    ["smoke test fails", { smokeFails: true }],
    ["the SSM agent never registers", { ssmAgentDelayMs: 5 * 3600_000 }],
    ...regions.slice(1).map((r): [string, Partial<FakeFaults>] => [`the copy to ${r} fails`, { copyFailsIn: [r] }]),
  ];
  for (const [what, fault] of faults) {
    await t.test(what, async () => {
      const cloud = createFakeCloud({ regions, faults: fault });
      const journalPath = tempJournalPath();
      const failed = await buildAmi(cloud, journalPath);
      assert.equal(failed.ok, false, failed.detail);
      Object.assign(cloud.faults, { provisionFails: false, smokeFails: false, ssmAgentDelayMs: 0, copyFailsIn: [] });
      await assertRerunSucceedsClean(cloud, journalPath, what);
    });
  }
});
