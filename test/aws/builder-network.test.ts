// Where the builder runs: the default VPC, or `image.builder.subnetId`; pre-flight stops a build that has neither usable
// before anything is created, and says what to do.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { noDefaultVpcMessage, subnetNotFoundMessage } from "../../image/builders/aws/builder-network.ts";
import { planAwsBuild } from "../../image/builders/aws/prepare-aws-build.ts";
import { printBuildResult } from "../../cli/commands/aws-print-results.ts";
import { readJournal } from "../../cloud/journal.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { addSubnet } from "../fakes/aws/fake-network.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const region = "us-east-1";

function nothingCreated(cloud: FakeCloud): void {
  assert.deepEqual(
    [
      cloud.state.buckets.size,
      cloud.state.roles.length,
      cloud.state.profiles.length,
      cloud.state.securityGroups.length,
      cloud.state.instances.length,
      cloud.state.clientTokens.size,
    ],
    [0, 0, 0, 0, 0, 0],
  );
}

test("no default VPC and no subnet in the recipe: pre-flight fails before anything is created, with what to do, beside the other problems", async () => {
  const cloud = createFakeCloud({ regions: [region, "af-south-1"], faults: { noDefaultVpcIn: [region], disabledRegions: ["af-south-1"] } });
  const recipe = makeRecipe({ regions: [region, "af-south-1"] });
  const result = await buildAwsImage({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "preflight-failed", JSON.stringify(result));
  const problems = result.kind === "preflight-failed" ? result.problems : [];
  assert.deepEqual(problems.map((p) => `${p.code}@${p.region}`).sort(), ["no-default-vpc@us-east-1", "region-disabled@af-south-1"]);
  const printed: string[] = [];
  printBuildResult(
    { cwd: "/", stdout: (t) => void printed.push(t), stderr: (t) => void printed.push(t), interactive: false, signal: new AbortController().signal },
    result,
  );
  assert.ok(
    printed.includes(
      "  us-east-1: no default VPC: set `image.builder.subnetId` in the recipe (a subnet with outbound internet access) or run `aws ec2 create-default-vpc --region us-east-1`\n",
    ),
    printed.join(""),
  );
  assert.equal(problems.find((p) => p.code === "no-default-vpc")?.message, noDefaultVpcMessage(region));
  nothingCreated(cloud);
  const plan = await planAwsBuild({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(plan.kind, "preflight-failed", "the dry run says it too");
});

test("a subnet that is not in the build's region: pre-flight names the subnet, the region and what to do, and creates nothing", async () => {
  const cloud = createFakeCloud({ regions: [region, "eu-central-1"] });
  const elsewhere = addSubnet(cloud.context, "eu-central-1");
  const recipe = makeRecipe({ regions: [region], image: { builder: { instanceType: "t3.small", subnetId: elsewhere.subnetId } } });
  const result = await buildAwsImage({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "preflight-failed", JSON.stringify(result));
  const problems = result.kind === "preflight-failed" ? result.problems : [];
  assert.deepEqual(
    problems.map((p) => [p.code, p.region, p.message]),
    [["subnet-not-found", region, subnetNotFoundMessage(elsewhere.subnetId, region)]],
  );
  assert.match(
    problems[0]!.message,
    new RegExp(
      `subnet \`${elsewhere.subnetId}\` \\(image\\.builder\\.subnetId\\) does not exist in us-east-1, where the image is built: name a subnet of us-east-1`,
    ),
  );
  nothingCreated(cloud);
});

test("with image.builder.subnetId the group is made in the subnet's VPC and both instances start in the subnet, also in an account without a default VPC", async () => {
  const cloud = createFakeCloud({ regions: [region], faults: { noDefaultVpcIn: [region] } });
  const subnet = addSubnet(cloud.context, region, { mapPublicIpOnLaunch: true });
  const recipe = makeRecipe({ regions: [region], image: { builder: { instanceType: "t3.small", subnetId: subnet.subnetId } } });
  const plan = await planAwsBuild({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(plan.ok && plan.builderNetwork, `subnet ${subnet.subnetId} of ${subnet.vpcId}`);
  const journalPath = tempJournalPath();
  const result = await buildAwsImage({ recipe, bundle: testBundle, region, journalPath }, cloud.ports);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.deepEqual(
    cloud.state.securityGroups.map((g) => g.vpcId),
    [subnet.vpcId],
  );
  assert.deepEqual(
    cloud.state.instances.map((i) => i.subnetId),
    [subnet.subnetId, subnet.subnetId],
    "builder and smoke instance",
  );
  assert.deepEqual(cloud.listLeftovers(), []);
  assert.deepEqual(
    readJournal(journalPath)!.temporary.filter((r) => !r.deleted),
    [],
  );
});

test("without a subnet the builder uses the default VPC and its default subnet", async () => {
  const cloud = createFakeCloud({ regions: [region] });
  addSubnet(cloud.context, region);
  const defaultVpc = cloud.state.vpcs.find((v) => v.isDefault)!;
  const defaultSubnet = cloud.state.subnets.find((s) => s.defaultForAz)!;
  const recipe = makeRecipe({ regions: [region] });
  const plan = await planAwsBuild({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(plan.ok && plan.builderNetwork, `the default VPC ${defaultVpc.vpcId}`);
  const result = await buildAwsImage({ recipe, bundle: testBundle, region, journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.deepEqual(
    cloud.state.securityGroups.map((g) => g.vpcId),
    [defaultVpc.vpcId],
  );
  assert.deepEqual(
    cloud.state.instances.map((i) => i.subnetId),
    [defaultSubnet.subnetId, defaultSubnet.subnetId],
  );
});
