import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { readJournal } from "../../cloud/journal.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const regions = ["us-east-1", "eu-central-1"];

async function build(cloud: FakeCloud, signal?: AbortSignal) {
  const journalPath = tempJournalPath();
  const result = await buildAwsImage({ recipe: makeRecipe({ regions }), bundle: testBundle, region: "us-east-1", journalPath }, cloud.ports, signal);
  return { result, journal: readJournal(journalPath), journalPath };
}

function assertNothingLeft(cloud: FakeCloud, journal: ReturnType<typeof readJournal>) {
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(journal?.temporary.filter((r) => !r.deleted) ?? [], []);
}

function assertNothingPublished(cloud: FakeCloud) {
  assert.deepEqual(
    cloud.listOwnImages().map((i) => i.imageId),
    [],
  );
  assert.equal(cloud.state.snapshots.filter((s) => !s.deleted).length, 0);
  assert.equal(cloud.state.parameters.size, 0);
}

test("throttling bursts and an instance id unknown right after RunInstances are retried", async () => {
  const cloud = createFakeCloud({ regions, faults: { throttleNext: 12, instanceInvisibleMs: 25_000 } });
  let bursts = 0;
  cloud.faults.onCall = (operation) => {
    if (["RunInstances", "CreateImage", "SendCommand"].includes(operation) && bursts++ < 3) cloud.faults.throttleNext = 6;
  };
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.equal(cloud.faults.throttleNext, 0, "every throttling burst was consumed");
  assert.equal(cloud.state.instances.length, 2, "one builder and one smoke instance: retried RunInstances made no duplicate");
  assertNothingLeft(cloud, journal);
});

test("a fresh instance profile that RunInstances does not see yet is retried", async () => {
  const cloud = createFakeCloud({ regions, faults: { profileInvisibleMs: 15_000 } });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.equal(cloud.state.instances.length, 2);
  assertNothingLeft(cloud, journal);
});

test("a late SSM agent is waited for inside the time budget", async () => {
  const cloud = createFakeCloud({ regions, faults: { ssmAgentDelayMs: 12 * 60_000 } });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assertNothingLeft(cloud, journal);
});

test("an SSM agent that never comes fails the launch step and cleans up", async () => {
  const cloud = createFakeCloud({ regions, faults: { ssmAgentDelayMs: 5 * 3600_000 } });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "failed");
  assert.equal(result.kind === "failed" && result.step, "launch");
  assert.match(result.kind === "failed" ? result.error : "", /SSM agent/);
  assertNothingLeft(cloud, journal);
  assertNothingPublished(cloud);
});

test("a failing provision script shows the tail of the full log (past the API's 24,000 characters) and leaves nothing", async () => {
  const cloud = createFakeCloud({ regions, faults: { provisionFails: true } });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "failed");
  if (result.kind !== "failed") return;
  assert.equal(result.step, "provision");
  assert.match(result.logTail ?? "", /step 'install packages' failed/);
  const command = cloud.state.commands.find((c) => c.kind === "provision")!;
  assert.ok(command.output.length > 24_000, "the fake's log is longer than the API returns");
  assertNothingLeft(cloud, journal);
  assertNothingPublished(cloud);
});

test("a failing smoke test deregisters the candidate and its snapshots; publishing is never reached", async () => {
  const cloud = createFakeCloud({ regions, faults: { smokeFails: true } });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "failed");
  assert.equal(result.kind === "failed" && result.step, "smoke");
  assert.match(result.kind === "failed" ? (result.logTail ?? "") : "", /SIP OPTIONS/);
  assert.equal(cloud.state.images.filter((i) => i.ownerId === cloud.state.accountId).length, 1, "one candidate was made");
  assertNothingLeft(cloud, journal);
  assertNothingPublished(cloud);
});

test("abort during provisioning cancels the command and removes every temporary resource", async () => {
  const cloud = createFakeCloud({ regions });
  const controller = new AbortController();
  cloud.faults.onCall = (operation) => {
    if (operation === "GetCommandInvocation" && cloud.clock.elapsed() > 5 * 60_000) controller.abort(new Error("SIGINT"));
  };
  const { result, journal } = await build(cloud, controller.signal);
  assert.equal(result.kind, "aborted");
  assert.equal(result.kind === "aborted" && result.step, "provision");
  assert.equal(cloud.state.commands.find((c) => c.kind === "provision")?.cancelled, true);
  assertNothingLeft(cloud, journal);
  assertNothingPublished(cloud);
});

test("pre-flight reports every problem at once and creates nothing", async () => {
  const cloud = createFakeCloud({
    regions: ["us-east-1", "eu-central-1", "eu-west-1", "af-south-1"],
    faults: { blockPublicAccessIn: ["eu-central-1"], publicQuotaReachedIn: ["eu-west-1"], disabledRegions: ["af-south-1"] },
  });
  // `check` refuses an unknown region; the cloud's pre-flight must too (a recipe object built in code skips check).
  const recipe = {
    ...makeRecipe({ regions: ["us-east-1", "eu-central-1", "eu-west-1", "af-south-1"], publish: { visibility: "public" } }),
    regions: ["us-east-1", "eu-central-1", "eu-west-1", "af-south-1", "xx-nowhere-1"],
  };
  const result = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "preflight-failed");
  const problems = result.kind === "preflight-failed" ? result.problems : [];
  assert.deepEqual(problems.map((p) => `${p.code}${p.region ? `@${p.region}` : ""}`).sort(), [
    "block-public-access@eu-central-1",
    "public-quota@eu-west-1",
    "region-disabled@af-south-1",
    "region-unknown@xx-nowhere-1",
  ]);
  assert.equal(cloud.state.instances.length + cloud.state.securityGroups.length + cloud.state.roles.length + cloud.state.buckets.size, 0);
  const again = await publishImage({ recipe, buildId: "b", sourceRegion: "us-east-1", sourceImageId: "ami-x", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(again.kind, "preflight-failed");
  assert.equal(cloud.state.clientTokens.size, 0);
});
