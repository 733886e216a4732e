// VPCs and subnets of the fake account. Every region starts with a default VPC and one default subnet (as AWS
// accounts do), unless the test says the account has none there (`faults.noDefaultVpcIn`); tests add VPCs and
// subnets of their own with addSubnet. RunInstances and CreateSecurityGroup without a subnet or VPC use the
// default VPC and fail without one, as EC2 does.
import { CloudError } from "../../../cloud/ports.ts";
import type { FakeContext, FakeSubnet } from "./fake-state.ts";

// Seeds a region's default VPC and its default subnet (in zone `a`, public IPv4 on).
export function seedDefaultNetwork(ctx: FakeContext, region: string): void {
  const vpcId = ctx.nextId("vpc");
  ctx.state.vpcs.push({ vpcId, region, isDefault: true });
  ctx.state.subnets.push({ subnetId: ctx.nextId("subnet"), vpcId, region, availabilityZone: `${region}a`, mapPublicIpOnLaunch: true, defaultForAz: true });
}

// Adds a subnet (in a new non-default VPC unless `vpcId` is given) and returns it.
export function addSubnet(ctx: FakeContext, region: string, options: { vpcId?: string; mapPublicIpOnLaunch?: boolean } = {}): FakeSubnet {
  const vpcId = options.vpcId ?? ctx.nextId("vpc");
  if (!options.vpcId) ctx.state.vpcs.push({ vpcId, region, isDefault: false });
  const subnet: FakeSubnet = {
    subnetId: ctx.nextId("subnet"),
    vpcId,
    region,
    availabilityZone: `${region}b`,
    mapPublicIpOnLaunch: options.mapPublicIpOnLaunch ?? false,
    defaultForAz: false,
  };
  ctx.state.subnets.push(subnet);
  return subnet;
}

// The region's default VPC id, or EC2's error for a call that needed it.
export function defaultVpcOrFail(ctx: FakeContext, region: string): string {
  const vpc = ctx.state.vpcs.find((v) => v.region === region && v.isDefault);
  if (!vpc) throw new CloudError("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.");
  return vpc.vpcId;
}

// Where RunInstances starts an instance: the given subnet (which must be in the security group's VPC), or the default
// VPC's default subnet (the group must then be in the default VPC).
export function launchSubnet(ctx: FakeContext, region: string, subnetId: string | undefined, groupVpcId: string, groupId: string): FakeSubnet {
  if (subnetId) {
    const subnet = ctx.state.subnets.find((s) => s.region === region && s.subnetId === subnetId);
    if (!subnet) throw new CloudError("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
    if (subnet.vpcId !== groupVpcId) throw new CloudError("InvalidParameter", `Security group ${groupId} and subnet ${subnetId} belong to different networks.`);
    return subnet;
  }
  const vpcId = defaultVpcOrFail(ctx, region);
  if (groupVpcId !== vpcId) throw new CloudError("InvalidParameter", `Security group ${groupId} is not in the default VPC: specify a subnet of ${groupVpcId}.`);
  const subnet = ctx.state.subnets.find((s) => s.region === region && s.vpcId === vpcId && s.defaultForAz);
  if (!subnet) throw new CloudError("MissingInput", "No subnets found for the default VPC. Please specify a subnet.");
  return subnet;
}
