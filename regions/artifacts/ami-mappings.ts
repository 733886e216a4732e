/** Region → AMI id of a published build. */
export type RegionImages = Record<string, string>;

// The per-region `Mappings` table: other accounts cannot read our SSM parameters, so templates carry the AMI ids.
export function renderAmiMappings(images: RegionImages): Record<string, unknown> {
  const sorted = Object.keys(images).sort();
  return { RegionMap: Object.fromEntries(sorted.map((region) => [region, { AMI: images[region] }])) };
}

/** `Fn::FindInMap` of this region's AMI. */
export const regionImageId = { "Fn::FindInMap": ["RegionMap", { Ref: "AWS::Region" }, "AMI"] };

/** The managed policies of the gateway's instance role: SSM (license parameter, Run Command) and CloudWatch agent. */
export const instanceRolePolicies = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"];

// The instance role and profile resources shared by both templates.
export function renderInstanceRole(): Record<string, unknown> {
  return {
    InstanceRole: {
      Type: "AWS::IAM::Role",
      Properties: {
        AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] },
        ManagedPolicyArns: instanceRolePolicies,
      },
    },
    InstanceProfile: { Type: "AWS::IAM::InstanceProfile", Properties: { Roles: [{ Ref: "InstanceRole" }] } },
  };
}
