import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { launchManagedInstance, type LaunchInput } from "../../image/builders/aws/launch-instance.ts";
import { runSsmScript } from "../../image/builders/aws/run-ssm-script.ts";
import { renderArmSealCommands } from "../../image/builders/aws/seal-at-stop.ts";
import { renderSsmAgentUserData, ssmAgentPackageUrl } from "../../image/builders/aws/ssm-agent-user-data.ts";
import { renderProvisionCommands, renderSmokeCommands } from "../../image/builders/aws/ssm-scripts.ts";
import { bucketSetupFor } from "../../cloud/bucket-layout.ts";
import { openJournal } from "../../cloud/journal.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { userDataInstallsSsmAgent } from "../fakes/aws/fake-cloud-init.ts";
import { makeTempDir } from "../make-temp-dir.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";
import { runScript, stubCommands } from "./run-shell.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";

const region = "us-east-1";

test("the user data installs the agent from the region's bucket over https (dpkg -i retried while apt holds the lock), then only starts it (real sh, stand-in dpkg, curl, systemctl)", async (t) => {
  const dir = makeTempDir(t, "rtcgw-userdata-");
  const script = renderSsmAgentUserData("eu-central-1", "arm64");
  writeFileSync(join(dir, "user-data"), script);
  const log = join(dir, "log");
  const bin = stubCommands(dir, {
    "dpkg-query": '[ -e "$RTCGW_TEST_DIR/installed" ] && echo "install ok installed"',
    curl: 'echo "curl $*" >> "$RTCGW_TEST_LOG"; while [ "$#" -gt 1 ]; do [ "$1" = -o ] && echo deb > "$2"; shift; done',
    dpkg: 'echo "dpkg $*" >> "$RTCGW_TEST_LOG"; n=$(cat "$RTCGW_TEST_DIR/locked" 2>/dev/null || echo 0); if [ "$n" -gt 0 ]; then echo $((n - 1)) > "$RTCGW_TEST_DIR/locked"; echo "dpkg: error: dpkg frontend lock is locked by another process" >&2; exit 2; fi; touch "$RTCGW_TEST_DIR/installed"',
    systemctl: 'echo "systemctl $*" >> "$RTCGW_TEST_LOG"',
    sleep: 'echo "sleep $*" >> "$RTCGW_TEST_LOG"',
  });
  const env = { PATH: `${bin}:${process.env.PATH}`, RTCGW_TEST_DIR: dir, RTCGW_TEST_LOG: log, TMPDIR: dir };
  writeFileSync(join(dir, "locked"), "2");

  const first = await runScript(`sh ${join(dir, "user-data")}`, env);
  assert.equal(first.code, 0, first.output);
  const calls = readFileSync(log, "utf8").trimEnd().split("\n");
  assert.match(
    calls[0]!,
    /^curl .*--proto =https .*--retry 10 .*-o \S+\/amazon-ssm-agent\.deb https:\/\/s3\.eu-central-1\.amazonaws\.com\/amazon-ssm-eu-central-1\/latest\/debian_arm64\/amazon-ssm-agent\.deb$/,
  );
  assert.deepEqual(
    calls.slice(1).map((c) => c.replace(/\/\S+\/amazon-ssm-agent\.deb/, "DEB")),
    ["dpkg -i DEB", "sleep 10", "dpkg -i DEB", "sleep 10", "dpkg -i DEB", "systemctl daemon-reload", "systemctl enable --now amazon-ssm-agent"],
  );
  writeFileSync(log, "");
  const again = await runScript(`sh ${join(dir, "user-data")}`, env);
  assert.equal(again.code, 0, again.output);
  assert.equal(readFileSync(log, "utf8"), "systemctl enable --now amazon-ssm-agent\n", "installed already (the smoke instance's image): no download, no dpkg");

  assert.deepEqual(script.match(/\b\w+:\/\/\S+/g), [`${ssmAgentPackageUrl("eu-central-1", "arm64")}'`], "one URL, https");
  assert.doesNotMatch(script, /X-Amz-|AKIA|ASIA|secret|password|token/i, "no secret in user data");
  assert.throws(() => renderSsmAgentUserData("us-east-1'; rm -rf /; '", "amd64"), /not an AWS region name/);
});

test("the fake's cloud-init installs the agent only from a #! script that fetches the package for the instance's region and architecture and runs dpkg -i", () => {
  const good = renderSsmAgentUserData(region, "amd64");
  assert.equal(userDataInstallsSsmAgent(good, region, "amd64"), true);
  assert.equal(userDataInstallsSsmAgent(good, "eu-west-1", "amd64"), false, "another region's bucket");
  assert.equal(userDataInstallsSsmAgent(good, region, "arm64"), false, "another architecture's package");
  assert.equal(userDataInstallsSsmAgent(good.replace("#!/bin/sh\n", ""), region, "amd64"), false, "cloud-init runs only #! scripts");
  assert.equal(userDataInstallsSsmAgent(good.replace(/dpkg -i/g, "ls"), region, "amd64"), false, "downloaded, not installed");
  assert.equal(userDataInstallsSsmAgent(undefined, region, "amd64"), false);
});

// A fake account with what a launch needs (security group, instance profile, bucket) and a journal.
async function prepare(cloud: FakeCloud) {
  const groupId = await cloud.ports.ec2.createSecurityGroup(region, { name: "sg", description: "d", tags: {} });
  await cloud.ports.iam.createRole({ name: "builder", path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags: {} });
  await cloud.ports.iam.createInstanceProfile({ name: "builder", path: "/rtcgw/", roleName: "builder", tags: {} });
  await cloud.ports.s3.ensureBucket(region, "bucket", bucketSetupFor("bucket"));
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
  const base = cloud.state.images.find((i) => i.region === region && i.name === "debian-13-amd64-20251020-2270")!;
  const launch: LaunchInput = {
    region,
    buildId: "b1",
    attempt: 1,
    purpose: "builder",
    imageId: base.imageId,
    instanceType: "t3.small",
    instanceProfileName: "builder",
    securityGroupId: groupId,
    diskSizeGiB: 12,
    encrypted: true,
    tags: {},
  };
  return { journal, launch };
}

test("without the user data a builder from the official Debian AMI never gets an SSM agent: the launch gives up on 'the SSM agent of i-…' after its 20 min (virtual time)", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { journal, launch } = await prepare(cloud);
  await assert.rejects(
    launchManagedInstance(launch, startCloudRun(cloud.ports), journal),
    /gave up waiting for the SSM agent of i-[0-9a-f]+ after 1\d{3} s \(budget 1200 s\)/,
  );
  const [instance] = cloud.state.instances;
  assert.equal(await cloud.ports.ssm.isInstanceManaged(region, instance!.instanceId), false, "running, but no agent");
  assert.ok(cloud.clock.elapsed() >= 20 * 60_000 && cloud.clock.elapsed() < 25 * 60_000, `${cloud.clock.elapsed()} ms`);
});

test("with the user data the build succeeds: the agent stays in the image, the builder's agent state does not, and an instance of the image is managed without user data", async () => {
  for (const arch of ["amd64", "arm64"] as const) {
    const cloud = createFakeCloud({ regions: [region, "eu-central-1"] });
    // `check` refuses arm64 until its image is boot-tested; the builder's code path for it is still held here.
    const parsed = makeRecipe();
    const recipe = {
      ...parsed,
      image: { ...parsed.image, arch, builder: { ...parsed.image.builder, instanceType: arch === "arm64" ? "t4g.small" : "t3.small" } },
    };
    const result = await buildAwsImage({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
    assert.equal(result.kind, "built", `${arch}: ${JSON.stringify(result)}`);
    const [builder, smoke] = cloud.state.instances;
    assert.equal(cloud.state.images.find((i) => i.imageId === builder!.imageId)?.name.startsWith(`debian-13-${arch}-`), true);
    assert.equal(builder!.userData, renderSsmAgentUserData(region, arch));
    assert.equal(smoke!.userData, renderSsmAgentUserData(region, arch), "the smoke instance gets it too (a no-op there: its image has the agent)");
    assert.equal(builder!.sealArmed, true, "provisioning armed the seal");
    const [image] = cloud.listOwnImages(region);
    assert.deepEqual([image?.imageId, image?.ssmAgent, image?.sealed, image?.arch], [result.ok && result.imageId, true, true, arch]);

    const { journal, launch } = await prepare(cloud);
    const customer = await launchManagedInstance(
      { ...launch, buildId: "customer", purpose: "smoke", imageId: image!.imageId, instanceType: recipe.image.builder.instanceType },
      startCloudRun(cloud.ports),
      journal,
    );
    assert.equal(cloud.state.instances.find((i) => i.instanceId === customer)?.userData, undefined);
  }
});

test("an image made without the seal keeps the builder's SSM agent state: the fake's smoke test fails it", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  const { journal, launch } = await prepare(cloud);
  const userData = renderSsmAgentUserData(region, "amd64");
  const builderId = await launchManagedInstance({ ...launch, userData }, startCloudRun(cloud.ports), journal);
  await cloud.ports.s3.putObject(region, "bucket", "staging/b1/bundle.tar.gz", "bundle", "application/gzip");
  const url = `https://bucket.s3.${region}.amazonaws.com/staging/b1/bundle.tar.gz`;
  const script = { region, budgetMs: 3600_000 };
  const provisionLog = { bucket: "bucket", key: "logs/b1/provision.log" };
  const provisionCommands = renderProvisionCommands(url, "0".repeat(64), await cloud.ports.s3.presignPut(region, provisionLog.bucket, provisionLog.key, 3600));
  const provision = await runSsmScript(
    { ...script, instanceId: builderId, commands: provisionCommands, comment: "rtcgw provision b1", log: provisionLog },
    startCloudRun(cloud.ports),
    journal,
  );
  assert.equal(provision.ok, true, provision.tail);
  await cloud.ports.ec2.stopInstance(region, builderId);
  cloud.clock.advance(cloud.timings.stopMs);
  const imageId = await cloud.ports.ec2.createImage(region, { instanceId: builderId, name: "unsealed", description: "", tags: {} });
  cloud.clock.advance(cloud.timings.createImageMs);
  await cloud.ports.ec2.requireImdsV2(region, imageId);
  assert.deepEqual(
    cloud.state.images.filter((i) => i.imageId === imageId).map((i) => [i.ssmAgent, i.sealed]),
    [[true, false]],
  );
  const smokeId = await launchManagedInstance({ ...launch, purpose: "smoke", imageId, userData }, startCloudRun(cloud.ports), journal);
  const smokeLog = { bucket: "bucket", key: "logs/b1/smoke.log" };
  const smokeCommands = renderSmokeCommands(makeRecipe(), await cloud.ports.s3.presignPut(region, smokeLog.bucket, smokeLog.key, 3600));
  const smoke = await runSsmScript(
    { ...script, instanceId: smokeId, commands: smokeCommands, comment: "rtcgw smoke b1", log: smokeLog },
    startCloudRun(cloud.ports),
    journal,
  );
  assert.equal(smoke.ok, false);
  assert.match(smoke.tail, /SSM agent state of another instance \(the builder\) is in the image/);
  assert.ok(renderArmSealCommands().includes("systemctl start rtcgw-seal.service"), "what the builder adds to provisioning, and the fake looks for");
});
