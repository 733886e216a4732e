import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { describeLog, runSsmScript } from "../../image/builders/aws/run-ssm-script.ts";
import { CloudError, type CloudPorts, type RunInstanceInput } from "../../cloud/ports.ts";
import { createEc2Adapter } from "../../cloud/sdk/ec2-adapter.ts";
import { createS3Adapter } from "../../cloud/sdk/s3-adapter.ts";
import { createSsmAdapter } from "../../cloud/sdk/ssm-adapter.ts";
import type { SdkOptions } from "../../cloud/sdk/client-options.ts";
import { openJournal } from "../../cloud/journal.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { handleEc2 } from "../fakes/aws/endpoint-ec2.ts";
import { parseQueryBody } from "../fakes/aws/protocol-codecs.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { bucketSetupFor } from "../../cloud/bucket-layout.ts";
import { renderSsmAgentUserData } from "../../image/builders/aws/ssm-agent-user-data.ts";
import { tempJournalPath } from "./fixtures.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";

// The build's EC2 and SSM calls through real SDK v3 clients against the in-process endpoint.
const region = "us-east-1";
const bucket = "rtcgw-111122223333-us-east-1";
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;
let launch: RunInstanceInput;
let instanceId: string;

const isCode = (code: string) => (e: unknown) => e instanceof CloudError && e.code === code;

before(async () => {
  cloud = createFakeCloud({ regions: [region] });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region, endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 4 };
  const groupId = await cloud.ports.ec2.createSecurityGroup(region, { name: "sg", description: "d", tags: {} });
  await cloud.ports.iam.createRole({ name: "builder", path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags: {} });
  await cloud.ports.iam.createInstanceProfile({ name: "builder", path: "/rtcgw/", roleName: "builder", tags: {} });
  await cloud.ports.s3.ensureBucket(region, bucket, bucketSetupFor(bucket));
  const base = cloud.state.images.find((i) => i.name.startsWith("debian-13-amd64"))!;
  launch = {
    imageId: base.imageId,
    instanceType: "t3.small",
    instanceProfileName: "builder",
    securityGroupId: groupId,
    diskSizeGiB: 12,
    encrypted: true,
    clientToken: "build-1-builder",
    tags: { Name: "rtcgw-build", "rtcgw:build": "b1" },
    userData: renderSsmAgentUserData(region, "amd64"),
  };
});
after(() => endpoint.close());

test("RunInstances: tags at creation, IMDSv2 required, disk and profile as asked; a lost response retried with its ClientToken makes one instance", async () => {
  const ec2 = createEc2Adapter(sdk);
  endpoint.loseNextResponse.add("RunInstances");
  instanceId = await ec2.runInstance(region, launch);
  assert.equal(endpoint.loseNextResponse.size, 0, "the first response was lost");
  assert.equal(await ec2.runInstance(region, launch), instanceId, "the same token and parameters give the same instance");
  assert.equal(cloud.state.instances.length, 1);
  const [instance] = cloud.state.instances;
  assert.equal(instance!.instanceId, instanceId);
  assert.deepEqual(instance!.tags, launch.tags);
  assert.equal(instance!.imdsV2Required, true);
  assert.equal(instance!.encrypted, true);
  assert.equal(instance!.profile, "builder");
  assert.equal(instance!.securityGroupId, launch.securityGroupId);
  assert.equal(instance!.userData, launch.userData, "the user data went out base64-encoded and the fake decoded it to the script");
  assert.match(instance!.userData!, /^#!\/bin\/sh\n[^]*dpkg -i "\$work\/amazon-ssm-agent\.deb"/);
  await assert.rejects(ec2.runInstance(region, { ...launch, diskSizeGiB: 20 }), isCode("IdempotentParameterMismatch"));
  const [described] = await ec2.describeInstances(region, { tag: { key: "rtcgw:build", value: "b1" } });
  assert.deepEqual([described?.instanceId, described?.state, described?.imageId, described?.tags.Name], [instanceId, "pending", launch.imageId, "rtcgw-build"]);
  cloud.faults.instanceInvisibleMs = 60_000;
  const fresh = await ec2.runInstance(region, { ...launch, clientToken: "build-1-smoke" });
  await assert.rejects(ec2.describeInstances(region, { instanceIds: [fresh] }), isCode("InvalidInstanceID.NotFound"));
  cloud.faults.instanceInvisibleMs = 0;
  await ec2.terminateInstance(region, fresh);
});

test("SendCommand + GetCommandInvocation: runSsmScript over the wire (no OutputS3BucketName) returns the status and the tail of the log the script uploaded through its presigned URL", async () => {
  cloud.clock.advance(cloud.timings.instanceBootMs + cloud.timings.ssmRegisterMs);
  const ports: CloudPorts = { ...cloud.ports, ec2: createEc2Adapter(sdk), ssm: createSsmAdapter(sdk), s3: createS3Adapter(sdk), clock: cloud.clock };
  assert.equal(await ports.ssm.isInstanceManaged(region, instanceId), true);
  await assert.rejects(ports.ssm.getCommandInvocation(region, "cmd-00000000000000bad", instanceId), isCode("InvocationDoesNotExist"));
  await cloud.ports.s3.putObject(region, bucket, "staging/b1/bundle.tar.gz", "bundle", "application/gzip");
  const url = `https://${bucket}.s3.${region}.amazonaws.com/staging/b1/bundle.tar.gz`;
  const log = { bucket, key: "logs/b1/provision.log" };
  const upload = (putUrl: string) => `curl -fsS --retry 3 -T "$log" '${putUrl.replaceAll("'", "'\\''")}'`;
  const served = endpoint.served.length;
  cloud.faults.provisionFails = true;
  const journal = openJournal(tempJournalPath(), {
    version: 1,
    buildId: "b1",
    recipe: "rtcgw",
    recipeVersion: "0.1.0",
    amiName: "n",
    sourceRegion: region,
    temporary: [],
    regions: {},
  });
  const putUrl = await cloud.ports.s3.presignPut(region, bucket, log.key, 3600);
  const outcome = await runSsmScript(
    {
      region,
      instanceId,
      commands: ["set -eu", `curl -fsS -o /tmp/b '${url}'`, 'echo "it\'s quoted"', upload(putUrl)],
      comment: "rtcgw provision b1",
      log,
      budgetMs: 3600_000,
    },
    startCloudRun(ports),
    journal,
  );
  cloud.faults.provisionFails = false;
  assert.equal(outcome.ok, false);
  assert.equal(outcome.status, "Failed");
  assert.match(outcome.tail, /Unable to locate package kamailio-nonexistent/);
  const [command] = cloud.state.commands;
  assert.deepEqual(
    [command!.instanceId, command!.kind, command!.logUploadUrl, command!.logUploaded, command!.logKey],
    [instanceId, "provision", putUrl, true, log.key],
  );
  assert.equal(outcome.logUri, `s3://${bucket}/logs/b1/provision.log`);
  assert.ok(endpoint.served.slice(served).includes("GetObject"), "the operator read the log back over the wire");
  const invocation = await ports.ssm.getCommandInvocation(region, command!.commandId, instanceId);
  assert.deepEqual([invocation.status, invocation.exitCode, invocation.stdout.length], ["Failed", 1, 24_000], "the API gives the first 24,000 characters only");
  assert.doesNotMatch(invocation.stdout, /kamailio-nonexistent/, "…which do not hold the error: the tail came from S3");

  // A URL that expired before the command ended: the command still ends, no log, the tail is the API's.
  cloud.faults.provisionFails = true;
  const expired = { bucket, key: "logs/b2/provision.log" };
  const elsewhere = await runSsmScript(
    {
      region,
      instanceId,
      commands: ["set -eu", `curl -fsS -o /tmp/b '${url}'`, upload(await cloud.ports.s3.presignPut(region, bucket, expired.key, 60))],
      comment: "rtcgw provision b2",
      log: expired,
      budgetMs: 3600_000,
    },
    startCloudRun(ports),
    journal,
  );
  cloud.faults.provisionFails = false;
  const second = cloud.state.commands.at(-1)!;
  assert.deepEqual([elsewhere.status, elsewhere.logUri, second.logUploaded], ["Failed", undefined, false]);
  assert.deepEqual(await ports.s3.listObjects(region, bucket, "logs/b2/"), []);
  assert.doesNotMatch(elsewhere.tail, /kamailio-nonexistent/, "the API's first 24,000 characters end before the error");
  assert.match(describeLog(elsewhere), /no full log in S3/);
  assert.equal(describeLog(outcome), `full log: s3://${bucket}/logs/b1/provision.log`);
});

test("RunInstances without user data from the official Debian AMI: the instance runs but its SSM agent never comes online; UserData that is not base64 is refused", async () => {
  const ec2 = createEc2Adapter(sdk);
  const ssm = createSsmAdapter(sdk);
  const { userData: _, ...bare } = launch;
  const plain = await ec2.runInstance(region, { ...bare, clientToken: "no-user-data" });
  cloud.clock.advance(cloud.timings.instanceBootMs + cloud.timings.ssmRegisterMs + 3600_000);
  assert.equal((await ec2.describeInstances(region, { instanceIds: [plain] }))[0]?.state, "running");
  assert.equal(await ssm.isInstanceManaged(region, plain), false);
  assert.equal(cloud.state.instances.find((i) => i.instanceId === plain)?.userData, undefined);
  await ec2.terminateInstance(region, plain);
  const form = new URLSearchParams({
    Action: "RunInstances",
    Version: "2016-11-15",
    ImageId: launch.imageId,
    MinCount: "1",
    MaxCount: "1",
    UserData: "#!/bin/sh\necho not base64",
  });
  await assert.rejects(handleEc2(cloud, "RunInstances", region, parseQueryBody(form.toString())), isCode("InvalidParameterValue"));
});

test("CreateImage: refused while the instance runs, then tagged at creation (image and snapshot) from the stopped instance", async () => {
  const ec2 = createEc2Adapter(sdk);
  const input = { instanceId, name: "rtcgw-0.1.0-b1", description: "rtcgw 0.1.0", tags: { "rtcgw:build": "b1", "rtcgw:role": "candidate" } };
  await assert.rejects(ec2.createImage(region, input), isCode("IncorrectState"));
  await ec2.stopInstance(region, instanceId);
  cloud.clock.advance(cloud.timings.stopMs);
  assert.equal((await ec2.describeInstances(region, { instanceIds: [instanceId] }))[0]?.state, "stopped");
  const imageId = await ec2.createImage(region, input);
  const image = cloud.state.images.find((i) => i.imageId === imageId)!;
  assert.deepEqual([image.name, image.tags], [input.name, input.tags]);
  const snapshot = cloud.state.snapshots.find((s) => s.snapshotId === image.snapshotIds[0]);
  assert.deepEqual(snapshot?.tags, input.tags);
  await assert.rejects(ec2.createImage(region, input), isCode("InvalidAMIName.Duplicate"));
  const [record] = await ec2.describeImages(region, { imageIds: [imageId] });
  assert.deepEqual([record?.state, record?.snapshotIds], ["pending", image.snapshotIds]);
});
