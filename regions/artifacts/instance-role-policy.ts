// The inline policy of the gateway's instance role in the published CloudFormation templates, made from the recipe.
//
// The agent on the appliance calls AWS twice (gateway/agent): ssm:GetParameter with decryption on the recipe's license
// parameter at first boot, and cloudwatch:PutMetricData in namespace `rtcgw` every minute when `gateway.metrics` is on.
// The policy allows that and nothing else: the one parameter of the stack's region and account; kms:Decrypt only
// through SSM in that region (a SecureString license under a customer managed key; the AWS managed key aws/ssm needs
// no statement, its key policy already lets the account's principals decrypt through SSM); PutMetricData only in the
// agent's namespace, and only when the recipe publishes metrics. ARNs are built from AWS::Partition/Region/AccountId.
import type { Recipe } from "../../dsl/resolve.ts";

/** The CloudWatch namespace the agent publishes to (gateway/agent/agent-config.ts). */
export const agentMetricsNamespace = "rtcgw";

/** The inline policy's name on the templates' `InstanceRole`. */
export const instanceRolePolicyName = "rtcgw-agent";

/** An IAM policy statement whose strings may be CloudFormation intrinsics. */
export interface TemplatePolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string;
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

// The policy document (pure), with `Fn::Sub` for the stack's partition, region and account.
export function renderInstanceRolePolicy(recipe: Recipe): { Version: "2012-10-17"; Statement: TemplatePolicyStatement[] } {
  const parameter = recipe.gateway.license.parameter.replace(/^\//, "");
  const statements: TemplatePolicyStatement[] = [
    {
      Sid: "ReadLicenseParameter",
      Effect: "Allow",
      Action: "ssm:GetParameter",
      Resource: { "Fn::Sub": `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${parameter}` },
    },
    {
      Sid: "DecryptLicenseParameter",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: { "Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*" },
      Condition: { StringEquals: { "kms:ViaService": { "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com" } } },
    },
  ];
  if (recipe.gateway.metrics) {
    statements.push({
      Sid: "PublishCallMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": agentMetricsNamespace } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}
