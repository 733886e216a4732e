// The builder's Run Command output in S3: the temporary role may upload its own build's logs (an inline policy), a role
// without that permission leaves no log and the failure says so, and the inline policy never outlives the build
// (IAM deletes no role that still has one): on failure, on a refused PutRolePolicy and on abort.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { builderLogPolicyName } from "../../image/builders/aws/builder-log-policy.ts";
import { CloudError } from "../../regions/cloud/ports.ts";
import { readJournal } from "../../regions/journal.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { commandOutputKey } from "../fakes/aws/fake-ssm.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const region = "us-east-1";
const bucketName = "rtcgw-111122223333-us-east-1";

async function build(cloud: FakeCloud, image: Record<string, unknown> = {}, signal?: AbortSignal) {
  const journalPath = tempJournalPath();
  const result = await buildAwsImage({ recipe: makeRecipe({ regions: [region], image }), bundle: testBundle, region, journalPath }, cloud.ports, signal);
  return { result, journal: readJournal(journalPath)! };
}

const logKeys = (cloud: FakeCloud) => [...(cloud.state.buckets.get(bucketName)?.objects.keys() ?? [])].filter((k) => k.startsWith("logs/"));

function assertNothingLeft(cloud: FakeCloud, journal: ReturnType<typeof readJournal>) {
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(journal?.temporary.filter((r) => !r.deleted) ?? [], []);
  assert.ok(cloud.state.roles.every((r) => r.deleted && Object.keys(r.inlinePolicies).length === 0), "every temporary role is gone, its inline policy first");
}

test("a failed provisioning names its full log, which the builder's own role uploaded under logs/<build id>/", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { provisionFails: true } });
  let inlineWhileRunning: Record<string, string> = {};
  cloud.faults.onCall = (operation) => {
    if (operation === "SendCommand") inlineWhileRunning = { ...cloud.state.roles[0]?.inlinePolicies };
  };
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "failed", JSON.stringify(result));
  if (result.kind !== "failed") return;
  const command = cloud.state.commands.find((c) => c.kind === "provision")!;
  assert.equal(command.outputUploaded, true);
  assert.deepEqual(logKeys(cloud), [commandOutputKey(command)]);
  assert.ok(commandOutputKey(command).startsWith(`logs/${result.buildId}/provision/${command.commandId}/`));
  assert.match(result.error, new RegExp(`\\(full log: s3://${bucketName}/logs/${result.buildId}/provision/${command.commandId}/\\)$`));
  assert.deepEqual(Object.keys(inlineWhileRunning), [builderLogPolicyName]);
  assert.deepEqual(JSON.parse(inlineWhileRunning[builderLogPolicyName]!).Statement[0].Resource, `arn:aws:s3:::${bucketName}/logs/${result.buildId}/*`);
  assert.ok(journal.temporary.some((r) => r.kind === "role-policy" && r.deleted), "the inline policy was journaled and removed");
  assertNothingLeft(cloud, journal);
});

test("a successful build leaves both commands' logs (provision and smoke), each under the build's prefix", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.deepEqual(logKeys(cloud).map((k) => k.split("/").slice(0, 3).join("/")).sort(), [`logs/${result.ok ? result.buildId : ""}/provision`, `logs/${result.ok ? result.buildId : ""}/smoke`]);
  assertNothingLeft(cloud, journal);
});

test("a builder profile of the operator's own that cannot write to the bucket: the command runs, no log lands, the failure says the tail is all there is", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { provisionFails: true } });
  await cloud.ports.iam.createRole({ name: "ops-builder", path: "/", trustService: "ec2.amazonaws.com", tags: {} });
  await cloud.ports.iam.attachRolePolicy("ops-builder", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  await cloud.ports.iam.createInstanceProfile({ name: "ops-builder", path: "/", roleName: "ops-builder", tags: {} });
  const { result, journal } = await build(cloud, { builder: { instanceType: "t3.small", instanceProfile: "ops-builder" } });
  assert.equal(result.kind, "failed", JSON.stringify(result));
  if (result.kind !== "failed") return;
  assert.equal(result.step, "provision");
  assert.equal(cloud.state.commands.find((c) => c.kind === "provision")?.outputUploaded, false);
  assert.deepEqual(logKeys(cloud), [], "SSM could not upload with the instance's role");
  assert.doesNotMatch(result.error, /full log: s3:/);
  assert.match(result.error, /no full log in S3 \(the instance could not upload it\): the lines below, from the first 24,000 characters the Run Command API returns, are all there is/);
  assert.match(result.logTail ?? "", /Get:\d+ http:\/\/deb\.debian\.org/, "the tail comes from the API's output");
  assert.deepEqual(Object.keys(cloud.state.roles.find((r) => r.name === "ops-builder")!.inlinePolicies), [], "rtcgw does not change the operator's role");
  assert.deepEqual(journal.temporary.filter((r) => !r.deleted), []);
  assert.ok(!journal.temporary.some((r) => r.kind === "role" || r.kind === "role-policy"));
});

test("PutRolePolicy refused: the build fails at its iam step and removes the role it made", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  cloud.faults.onCall = (operation) => {
    if (operation === "PutRolePolicy") throw new CloudError("AccessDenied", "User is not authorized to perform: iam:PutRolePolicy");
  };
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "failed");
  assert.deepEqual(result.kind === "failed" && [result.step, result.cleanupProblems], ["iam", []]);
  assert.match(result.kind === "failed" ? result.error : "", /iam:PutRolePolicy/);
  assert.equal(cloud.state.instances.length, 0);
  assertNothingLeft(cloud, journal);
});

test("abort right after the inline policy is written: cleanup deletes it, then the role", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const controller = new AbortController();
  cloud.faults.onCall = (operation) => {
    if (operation === "CreateInstanceProfile") controller.abort(new Error("SIGINT"));
  };
  const { result, journal } = await build(cloud, {}, controller.signal);
  assert.equal(result.kind, "aborted", JSON.stringify(result));
  assert.deepEqual(result.kind === "aborted" && result.cleanupProblems, []);
  assert.equal(cloud.state.roles.length, 1);
  assertNothingLeft(cloud, journal);
});
