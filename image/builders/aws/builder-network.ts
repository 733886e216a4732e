// Where the builder and smoke instances run: the recipe's `image.builder.subnetId` (and the VPC it belongs to),
// or else the region's default VPC.
//
// RunInstances without a subnet and CreateSecurityGroup without a VPC both fall back to the default VPC; in an
// account without one (deleted, or never there) they fail with an AWS error after the bucket, the bundle and the
// role already exist. So the build looks first, read-only, as part of its pre-flight: the subnet's VPC (the
// security group must be made there), or the default VPC, and says what to do when neither is usable.
// Whether the subnet reaches the internet (apt, the SSM agent's download, SSM itself) is not checked: a route
// to an internet or NAT gateway is not visible from the subnet alone. A builder without it never gets its
// SSM agent online, and the launch says so after its time budget.
import type { Recipe } from "../../../dsl/resolve.ts";
import type { CloudRun } from "../../../cloud/cloud-run.ts";
import { withRetryDefaults } from "../../../cloud/retry.ts";
import type { PreflightProblem } from "../../../cloud/preflight-problem.ts";

/** The VPC (and subnet, when the recipe names one) the build's instances and security group go into. */
export interface BuilderNetwork {
  vpcId: string;
  subnetId?: string;
}

/** The builder's network, or the one problem that makes it unusable. */
export type BuilderNetworkCheck = { ok: true; network: BuilderNetwork } | { ok: false; problem: PreflightProblem };

// The message when the region has no default VPC and the recipe names no subnet (pure).
export function noDefaultVpcMessage(region: string): string {
  return `no default VPC: set \`image.builder.subnetId\` in the recipe (a subnet with outbound internet access) or run \`aws ec2 create-default-vpc --region ${region}\``;
}

// The message when the recipe's subnet is not in the build's region (pure).
export function subnetNotFoundMessage(subnetId: string, region: string): string {
  return `subnet \`${subnetId}\` (image.builder.subnetId) does not exist in ${region}, where the image is built: name a subnet of ${region} (\`aws ec2 describe-subnets --region ${region}\`) or build in the subnet's region (\`--region\`)`;
}

// Finds the builder's network in the build's region (read-only).
export async function findBuilderNetwork(recipe: Recipe, region: string, run: CloudRun): Promise<BuilderNetworkCheck> {
  const { ports } = run;
  const withRetry = withRetryDefaults(run.withRetry, { budgetMs: 120_000 });
  const { subnetId } = recipe.image.builder;
  try {
    if (subnetId) {
      const subnet = await withRetry(() => ports.ec2.describeSubnet(region, subnetId));
      if (!subnet) return { ok: false, problem: { region, code: "subnet-not-found", message: subnetNotFoundMessage(subnetId, region) } };
      return { ok: true, network: { vpcId: subnet.vpcId, subnetId } };
    }
    const vpcId = await withRetry(() => ports.ec2.findDefaultVpc(region));
    if (!vpcId) return { ok: false, problem: { region, code: "no-default-vpc", message: noDefaultVpcMessage(region) } };
    return { ok: true, network: { vpcId } };
  } catch (error) {
    return {
      ok: false,
      problem: {
        region,
        code: "cloud-error",
        message: `cannot look up the builder's ${subnetId ? `subnet ${subnetId}` : "default VPC"}: ${(error as Error).message}`,
      },
    };
  }
}

// How the plan names the network (pure).
export function describeBuilderNetwork(network: BuilderNetwork): string {
  return network.subnetId ? `subnet ${network.subnetId} of ${network.vpcId}` : `the default VPC ${network.vpcId}`;
}
