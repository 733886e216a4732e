import type { Recipe } from "../../dsl/resolve.ts";
import { instanceRolePolicyName, renderInstanceRolePolicy } from "./instance-role-policy.ts";

/** Region → AMI id of a published build. */
export type RegionImages = Record<string, string>;

// The per-region `Mappings` table: other accounts cannot read our SSM parameters, so templates carry the AMI ids.
export function renderAmiMappings(images: RegionImages): Record<string, unknown> {
  const sorted = Object.keys(images).sort();
  return { RegionMap: Object.fromEntries(sorted.map((region) => [region, { AMI: images[region] }])) };
}

/** `Fn::FindInMap` of this region's AMI. */
export const regionImageId = { "Fn::FindInMap": ["RegionMap", { Ref: "AWS::Region" }, "AMI"] };

/**
 * The managed policy of the gateway's instance role: Systems Manager (Session Manager, Run Command), as the SSM agent stays
 * in the image. It also allows ssm:GetParameter(s) on every parameter of the account: docs/AWS-PERMISSIONS.md says so.
 */
export const instanceRolePolicies = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"];

// The instance role and profile resources shared by both templates: the managed policy above and the agent's inline
// policy made from the recipe (instance-role-policy.ts).
export function renderInstanceRole(recipe: Recipe): Record<string, unknown> {
  return {
    InstanceRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        },
        ManagedPolicyArns: instanceRolePolicies,
        Policies: [{ PolicyName: instanceRolePolicyName, PolicyDocument: renderInstanceRolePolicy(recipe) }],
      },
    },
    InstanceProfile: { Type: "AWS::IAM::InstanceProfile", Properties: { Roles: [{ Ref: "InstanceRole" }] } },
  };
}
