import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CloudError, type RunInstanceInput } from "../../cloud/ports.ts";
import { createEc2Adapter } from "../../cloud/sdk/ec2-adapter.ts";
import type { SdkOptions } from "../../cloud/sdk/client-options.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { addSubnet } from "../fakes/aws/fake-network.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";

// The builder's network calls through real SDK v3 EC2 clients against the in-process endpoint: the default VPC
// (DescribeVpcs is-default), a subnet (DescribeSubnets), a security group in a given VPC, an instance in a given subnet.
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;
let launch: Omit<RunInstanceInput, "securityGroupId" | "clientToken">;

const isCode = (code: string) => (e: unknown) => e instanceof CloudError && e.code === code;

before(async () => {
  cloud = createFakeCloud({ regions: ["us-east-1", "eu-central-1"], faults: { noDefaultVpcIn: ["eu-central-1"] } });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region: "us-east-1", endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 3 };
  await cloud.ports.iam.createRole({ name: "builder", path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags: {} });
  await cloud.ports.iam.createInstanceProfile({ name: "builder", path: "/rtcgw/", roleName: "builder", tags: {} });
  const base = cloud.state.images.find((i) => i.region === "us-east-1" && i.name.startsWith("debian-13-amd64"))!;
  launch = { imageId: base.imageId, instanceType: "t3.small", instanceProfileName: "builder", diskSizeGiB: 8, encrypted: false, tags: { "rtcgw:build": "b1" } };
});
after(() => endpoint.close());

test("DescribeVpcs and DescribeSubnets: the default VPC where there is one; a subnet by id in its own region only", async () => {
  const ec2 = createEc2Adapter(sdk);
  const defaultVpc = cloud.state.vpcs.find((v) => v.region === "us-east-1" && v.isDefault)!;
  assert.equal(await ec2.findDefaultVpc("us-east-1"), defaultVpc.vpcId);
  assert.equal(await ec2.findDefaultVpc("eu-central-1"), undefined, "an account without a default VPC there");
  const subnet = addSubnet(cloud.context, "us-east-1", { mapPublicIpOnLaunch: true });
  assert.deepEqual(await ec2.describeSubnet("us-east-1", subnet.subnetId), {
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: "us-east-1b",
    mapPublicIpOnLaunch: true,
  });
  assert.notEqual(subnet.vpcId, defaultVpc.vpcId);
  assert.equal(await ec2.describeSubnet("eu-central-1", subnet.subnetId), undefined, "InvalidSubnetID.NotFound in another region reads as none");
  assert.equal(await ec2.describeSubnet("us-east-1", "subnet-0000000000000dead"), undefined);
});

test("CreateSecurityGroup in a VPC and RunInstances in its subnet; without a default VPC both need them; a group and a subnet of different VPCs are refused", async () => {
  const ec2 = createEc2Adapter(sdk);
  const subnet = addSubnet(cloud.context, "us-east-1");
  const groupId = await ec2.createSecurityGroup("us-east-1", { name: "rtcgw-build-a", description: "d", tags: { "rtcgw:build": "b1" }, vpcId: subnet.vpcId });
  assert.equal(cloud.state.securityGroups.find((g) => g.groupId === groupId)?.vpcId, subnet.vpcId);
  const inSubnet = await ec2.runInstance("us-east-1", { ...launch, securityGroupId: groupId, subnetId: subnet.subnetId, clientToken: "in-subnet" });
  assert.equal(cloud.state.instances.find((i) => i.instanceId === inSubnet)?.subnetId, subnet.subnetId);
  await assert.rejects(
    ec2.runInstance("us-east-1", { ...launch, securityGroupId: groupId, clientToken: "no-subnet" }),
    isCode("InvalidParameter"),
    "that group is not in the default VPC",
  );
  const defaultGroup = await ec2.createSecurityGroup("us-east-1", { name: "rtcgw-build-b", description: "d", tags: {} });
  const defaultVpc = cloud.state.vpcs.find((v) => v.region === "us-east-1" && v.isDefault)!;
  assert.equal(cloud.state.securityGroups.find((g) => g.groupId === defaultGroup)?.vpcId, defaultVpc.vpcId, "no VpcId: the default VPC");
  const inDefault = await ec2.runInstance("us-east-1", { ...launch, securityGroupId: defaultGroup, clientToken: "default" });
  assert.equal(
    cloud.state.subnets.find((s) => s.subnetId === cloud.state.instances.find((i) => i.instanceId === inDefault)?.subnetId)?.vpcId,
    defaultVpc.vpcId,
  );
  await assert.rejects(
    ec2.runInstance("us-east-1", { ...launch, securityGroupId: defaultGroup, subnetId: subnet.subnetId, clientToken: "mismatch" }),
    isCode("InvalidParameter"),
  );
  await assert.rejects(ec2.createSecurityGroup("eu-central-1", { name: "rtcgw-build-c", description: "d", tags: {} }), isCode("VPCIdNotSpecified"));
  await assert.rejects(
    ec2.createSecurityGroup("us-east-1", { name: "rtcgw-build-d", description: "d", tags: {}, vpcId: "vpc-0000000000000dead" }),
    isCode("InvalidVpcID.NotFound"),
  );
  for (const id of [inSubnet, inDefault]) await ec2.terminateInstance("us-east-1", id);
});
