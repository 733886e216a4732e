// The builder's command logs in S3: each Run Command script uploads its whole output, as it exits, through a PUT URL the
// operator presigned for one key (`logs/<build id>/provision.log`, `…/smoke.log`). The temporary builder role gets no S3
// permission and no inline policy; a URL S3 would refuse (expired, altered) leaves no log and the failure says so; roles
// with the inline policy older builds wrote are still swept.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { logKeyFor, logUrlExpirySeconds } from "../../image/builders/aws/run-ssm-script.ts";
import type { CloudPorts } from "../../cloud/ports.ts";
import { readJournal, writeJournal } from "../../cloud/journal.ts";
import { sweep } from "../../regions/sweep.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const region = "us-east-1";
const bucketName = "rtcgw-111122223333-us-east-1";
const ssmCore = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

async function build(cloud: FakeCloud, ports: CloudPorts = cloud.ports) {
  const journalPath = tempJournalPath();
  const result = await buildAwsImage({ recipe: makeRecipe({ regions: [region] }), bundle: testBundle, region, journalPath }, ports);
  return { result, journal: readJournal(journalPath)! };
}

const logKeys = (cloud: FakeCloud) => [...(cloud.state.buckets.get(bucketName)?.objects.keys() ?? [])].filter((k) => k.startsWith("logs/")).sort();
const text = (cloud: FakeCloud, key: string) => new TextDecoder().decode(cloud.state.buckets.get(bucketName)!.objects.get(key));

// Records every IAM operation and the presigned PUTs asked for.
function watch(cloud: FakeCloud) {
  const operations: string[] = [];
  const presigned: { key: string; expiresSeconds: number }[] = [];
  const previous = cloud.faults.onCall;
  cloud.faults.onCall = (operation, where) => {
    operations.push(operation);
    previous?.(operation, where);
  };
  const presignPut = cloud.ports.s3.presignPut.bind(cloud.ports.s3);
  cloud.ports.s3.presignPut = async (r, b, key, expiresSeconds) => (presigned.push({ key, expiresSeconds }), presignPut(r, b, key, expiresSeconds));
  return { operations, presigned };
}

test("a failed provisioning names its full log s3://<bucket>/logs/<build id>/provision.log, uploaded by the script through the operator's presigned URL; the builder role has no S3 permission", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { provisionFails: true } });
  const seen = watch(cloud);
  let roleWhileRunning: { policies: string[]; inline: string[] } | undefined;
  const onCall = cloud.faults.onCall!;
  cloud.faults.onCall = (operation, where) => {
    onCall(operation, where);
    const role = cloud.state.roles[0];
    if (operation === "SendCommand" && role) roleWhileRunning = { policies: [...role.policies], inline: Object.keys(role.inlinePolicies) };
  };
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "failed", JSON.stringify(result));
  if (result.kind !== "failed") return;
  const key = logKeyFor(result.buildId, "provision");
  assert.equal(key, `logs/${result.buildId}/provision.log`);
  assert.deepEqual(
    seen.presigned,
    [{ key, expiresSeconds: logUrlExpirySeconds(2 * 3600_000) }],
    "one URL, for one key, living the command's budget and a margin",
  );
  const command = cloud.state.commands.find((c) => c.kind === "provision")!;
  assert.deepEqual([command.logUploaded, command.logKey], [true, key]);
  assert.deepEqual(logKeys(cloud), [key]);
  assert.match(text(cloud, key), /Unable to locate package kamailio-nonexistent/, "the whole output, to the error at its end");
  assert.match(result.error, new RegExp(`\\(full log: s3://${bucketName}/logs/${result.buildId}/provision\\.log\\)$`));
  assert.match(result.logTail ?? "", /kamailio-nonexistent/, "the tail comes from the full log");
  assert.deepEqual(roleWhileRunning, { policies: [ssmCore], inline: [] }, "AmazonSSMManagedInstanceCore and nothing else");
  assert.ok(
    !seen.operations.some((o) => /RolePolicy$/.test(o) && o !== "AttachRolePolicy"),
    `no inline policy is written or removed: ${seen.operations.filter((o) => /Policy/.test(o)).join(", ")}`,
  );
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(
    journal.temporary.filter((r) => !r.deleted),
    [],
  );
});

test("a successful build leaves both commands' logs: logs/<build id>/provision.log and smoke.log", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { result, journal } = await build(cloud);
  assert.equal(result.kind, "built", JSON.stringify(result));
  if (result.kind !== "built") return;
  assert.deepEqual(logKeys(cloud), [`logs/${result.buildId}/provision.log`, `logs/${result.buildId}/smoke.log`]);
  assert.match(text(cloud, `logs/${result.buildId}/smoke.log`), /checks/);
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(
    journal.temporary.filter((r) => !r.deleted),
    [],
  );
});

test("a log URL that expired before the command ended (say the operator's session credentials ran out first): the command still ends, no log lands, the failure says the tail is all there is", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { provisionFails: true } });
  const ports: CloudPorts = { ...cloud.ports, s3: { ...cloud.ports.s3, presignPut: (r, b, k) => cloud.ports.s3.presignPut(r, b, k, 60) } };
  const { result, journal } = await build(cloud, ports);
  assert.equal(result.kind, "failed", JSON.stringify(result));
  if (result.kind !== "failed") return;
  assert.equal(result.step, "provision");
  const command = cloud.state.commands.find((c) => c.kind === "provision")!;
  assert.ok(command.endsAt - command.startedAt > 60_000, "the command outlived its URL");
  assert.equal(command.logUploaded, false);
  assert.deepEqual(logKeys(cloud), []);
  assert.doesNotMatch(result.error, /full log: s3:/);
  assert.match(
    result.error,
    /no full log in S3 \(the instance did not upload it\): the lines below, from the first 24,000 characters the Run Command API returns, are all there is/,
  );
  assert.match(result.logTail ?? "", /Get:\d+ http:\/\/deb\.debian\.org/, "the tail comes from the API's output");
  assert.deepEqual(
    journal.temporary.filter((r) => !r.deleted),
    [],
  );
});

test("a log URL altered on its way (its signature no longer matches) leaves no log either", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { provisionFails: true } });
  const ports: CloudPorts = {
    ...cloud.ports,
    s3: { ...cloud.ports.s3, presignPut: async (r, b, k, e) => (await cloud.ports.s3.presignPut(r, b, k, e)).replace("provision.log", "other.log") },
  };
  const { result } = await build(cloud, ports);
  assert.equal(result.kind, "failed");
  assert.equal(cloud.state.commands.find((c) => c.kind === "provision")?.logUploaded, false);
  assert.deepEqual(logKeys(cloud), []);
  assert.match(result.kind === "failed" ? result.error : "", /no full log in S3/);
});

test("a role left by an older build with its inline log policy is swept: the policy goes with the role", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const name = "rtcgw-build-0123456789ab";
  await cloud.ports.iam.createRole({ name, path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags: { "rtcgw:build": "0123456789abcdef0123" } });
  await cloud.ports.iam.attachRolePolicy(name, ssmCore);
  await cloud.ports.iam.createInstanceProfile({ name, path: "/rtcgw/", roleName: name, tags: {} });
  cloud.state.roles.find((r) => r.name === name)!.inlinePolicies["rtcgw-command-output"] = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucketName}/logs/0123456789abcdef0123/*` }],
  });
  const swept = await sweep({ regions: [region], buildId: "0123456789abcdef0123" }, cloud.ports);
  assert.deepEqual(
    swept.found.map((i) => `${i.kind} ${i.id}`),
    [`instance-profile ${name}`, `role ${name}`],
  );
  assert.deepEqual(swept.problems, []);
  assert.ok(cloud.state.roles.every((r) => r.deleted && Object.keys(r.inlinePolicies).length === 0));
  assert.deepEqual(cloud.listLeftovers(), []);
});

test("a journal written by an older build, with a role-policy entry: reading it drops the entry (deleting the role removes its inline policy)", () => {
  const path = tempJournalPath();
  const legacy = { kind: "role-policy", region: "global", id: "rtcgw-build-0123456789ab/rtcgw-command-output", deleted: false };
  writeJournal(path, {
    version: 1,
    buildId: "b",
    recipe: "r",
    recipeVersion: "1",
    amiName: "a",
    sourceRegion: region,
    regions: {},
    temporary: [{ kind: "role", region: "global", id: "rtcgw-build-0123456789ab", deleted: false }, legacy as never],
  });
  assert.deepEqual(
    readJournal(path)!.temporary.map((r) => r.kind),
    ["role"],
  );
});

test("a log left by an earlier attempt of the same build is removed before the command: it is not named for a command that uploaded none", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { provisionFails: true } });
  const ports: CloudPorts = { ...cloud.ports, s3: { ...cloud.ports.s3, presignPut: (r, b, k) => cloud.ports.s3.presignPut(r, b, k, 60) } };
  cloud.faults.onCall = (operation) => {
    if (operation !== "RunInstances") return; // the builder starts: the bundle is in the bucket, provisioning has not begun
    const key = [...cloud.state.buckets.get(bucketName)!.objects.keys()]
      .find((k) => k.startsWith("staging/"))!
      .replace(/^staging\/([^/]+)\/.*$/, "logs/$1/provision.log");
    if (!cloud.state.commands.length) cloud.state.buckets.get(bucketName)!.objects.set(key, new TextEncoder().encode("an earlier attempt's log\n"));
  };
  const { result } = await build(cloud, ports);
  assert.equal(result.kind, "failed", JSON.stringify(result));
  assert.deepEqual(logKeys(cloud), [], "the stale log was deleted before SendCommand, and no new one came");
  assert.match(result.kind === "failed" ? result.error : "", /no full log in S3/);
});
