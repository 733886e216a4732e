import assert from "node:assert/strict";
import { test } from "node:test";
import { compileAgentConfig } from "../../gateway/agent/agent-config.ts";
import { renderClusterTemplate } from "../../regions/artifacts/cluster-template.ts";
import { renderSingleInstanceTemplate } from "../../regions/artifacts/single-instance-template.ts";
import { checkCfnTemplate } from "./check-cfn-template.ts";
import { makeRecipe } from "./fixtures.ts";

const images = { "us-east-1": "ami-0123456789abcdef0", "eu-central-1": "ami-0fedcba9876543210" };
type Template = Parameters<typeof checkCfnTemplate>[0];

function ingressOf(template: Template, resource: string): string[] {
  const rules = template.Resources[resource]!.Properties!.SecurityGroupIngress as {
    IpProtocol: string;
    FromPort: number;
    ToPort: number;
    CidrIp?: string;
    CidrIpv6?: string;
  }[];
  return rules.map((r) => `${r.IpProtocol}/${r.FromPort}-${r.ToPort} ${r.CidrIp ?? r.CidrIpv6}`).sort();
}

// The reference product's cloud guide: TCP+UDP 5060-5069, TCP 443, TCP 22, UDP 10000-11000, nothing else.
const expectedIngress = ["tcp/5060-5069", "udp/5060-5069", "tcp/443-443", "tcp/22-22", "udp/10000-11000"]
  .flatMap((p) => [`${p} 0.0.0.0/0`, `${p} ::/0`])
  .sort();

test("the single-instance template matches the CloudFormation specification and opens exactly the recipe's public ports", () => {
  const template = renderSingleInstanceTemplate(makeRecipe(), images) as Template;
  assert.deepEqual(checkCfnTemplate(template), []);
  assert.deepEqual(ingressOf(template, "GatewaySecurityGroup"), expectedIngress);
  assert.deepEqual(template.Mappings, { RegionMap: { "eu-central-1": { AMI: images["eu-central-1"] }, "us-east-1": { AMI: images["us-east-1"] } } });
  const outputs = JSON.stringify((template as { Outputs: unknown }).Outputs);
  assert.match(outputs, /https:\/\/\$\{Gateway.PublicIp\}\/"/);
  assert.match(outputs, /https:\/\/\$\{Gateway.PublicIp\}\/tryit\/"/);
  assert.deepEqual(
    template.Resources.InstanceRole!.Properties!.ManagedPolicyArns,
    ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    "Systems Manager only: no CloudWatchAgentServerPolicy",
  );
});

// The statements of the templates' inline role policy, by Sid.
function agentStatements(template: Template): Record<string, { Action: string; Resource: unknown; Condition?: unknown }> {
  const [policy, ...others] = template.Resources.InstanceRole!.Properties!.Policies as {
    PolicyName: string;
    PolicyDocument: { Version: string; Statement: { Sid: string; Action: string; Resource: unknown; Condition?: unknown }[] };
  }[];
  assert.equal(others.length, 0);
  assert.equal(policy!.PolicyName, "rtcgw-agent");
  assert.equal(policy!.PolicyDocument.Version, "2012-10-17");
  return Object.fromEntries(policy!.PolicyDocument.Statement.map((s) => [s.Sid, s]));
}

test("the instance role of both templates follows the recipe: GetParameter on its license parameter only, decryption only through SSM, metrics only when enabled", () => {
  const recipes = { metrics: makeRecipe({ gateway: { license: { parameter: "/acme/gw/license" } } }), quiet: makeRecipe({ gateway: { metrics: false } }) };
  for (const render of [renderSingleInstanceTemplate, renderClusterTemplate]) {
    const withMetrics = render(recipes.metrics, images) as Template;
    const without = render(recipes.quiet, images) as Template;
    assert.deepEqual([checkCfnTemplate(withMetrics), checkCfnTemplate(without)], [[], []], render.name);
    const on = agentStatements(withMetrics);
    const off = agentStatements(without);
    assert.deepEqual(Object.keys(on), ["ReadLicenseParameter", "DecryptLicenseParameter", "PublishCallMetrics"], render.name);
    assert.deepEqual(Object.keys(off), ["ReadLicenseParameter", "DecryptLicenseParameter"], `${render.name}: no PutMetricData when gateway.metrics is false`);
    assert.deepEqual(
      [on.ReadLicenseParameter!.Action, on.ReadLicenseParameter!.Resource],
      ["ssm:GetParameter", { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/acme/gw/license" }],
    );
    assert.deepEqual(off.ReadLicenseParameter!.Resource, { "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/rtcgw/license" });
    assert.deepEqual(
      [on.DecryptLicenseParameter!.Action, on.DecryptLicenseParameter!.Resource, on.DecryptLicenseParameter!.Condition],
      [
        "kms:Decrypt",
        { "Fn::Sub": "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*" },
        { StringEquals: { "kms:ViaService": { "Fn::Sub": "ssm.${AWS::Region}.amazonaws.com" } } },
      ],
    );
    assert.deepEqual(
      [on.PublishCallMetrics!.Action, on.PublishCallMetrics!.Resource, on.PublishCallMetrics!.Condition],
      ["cloudwatch:PutMetricData", "*", { StringEquals: { "cloudwatch:namespace": "rtcgw" } }],
    );
    assert.doesNotMatch(JSON.stringify(on), /arn:aws:/, "ARNs follow the stack's partition");
  }
  assert.equal(compileAgentConfig(recipes.metrics, "").metrics.namespace, "rtcgw", "the namespace the agent publishes to");
});

test("the cluster template matches the specification: 1-4 gateways, +1 above 80 % CPU, -1 below 60 %, ELB health checks", () => {
  const template = renderClusterTemplate(makeRecipe(), images) as Template;
  assert.deepEqual(checkCfnTemplate(template), []);
  assert.deepEqual(ingressOf(template, "GatewaySecurityGroup"), expectedIngress);
  const group = template.Resources.GatewayGroup!.Properties!;
  assert.deepEqual([group.MinSize, group.MaxSize, group.HealthCheckType], ["1", "4", "ELB"]);
  const alarms = Object.values(template.Resources)
    .filter((r) => r.Type === "AWS::CloudWatch::Alarm")
    .map((r) => r.Properties!);
  const policies = template.Resources;
  const byAction = Object.fromEntries(alarms.map((a) => [(a.AlarmActions as { Ref: string }[])[0]!.Ref, a]));
  assert.equal(policies[(byAction.ScaleUpPolicy!.AlarmActions as { Ref: string }[])[0]!.Ref]!.Properties!.ScalingAdjustment, 1);
  assert.deepEqual(
    [byAction.ScaleUpPolicy!.Threshold, byAction.ScaleUpPolicy!.ComparisonOperator, byAction.ScaleUpPolicy!.MetricName],
    [80, "GreaterThanThreshold", "CPUUtilization"],
  );
  assert.deepEqual(
    [byAction.ScaleDownPolicy!.Threshold, byAction.ScaleDownPolicy!.ComparisonOperator, policies.ScaleDownPolicy!.Properties!.ScalingAdjustment],
    [60, "LessThanThreshold", -1],
  );
  assert.ok((byAction.ScaleUpPolicy!.Period as number) * (byAction.ScaleUpPolicy!.EvaluationPeriods as number) >= 180, "several minutes");
  assert.equal(template.Resources.LatencyRecord!.Condition, "HasLatencyRecord");
});

test("the checker itself catches a wrong property, a missing required one and a dangling GetAtt", () => {
  const broken: Template = {
    Resources: {
      Sg: { Type: "AWS::EC2::SecurityGroup", Properties: { GroupDescriptio: "typo" } },
      Box: { Type: "AWS::EC2::Instance", Properties: { ImageId: { "Fn::GetAtt": ["Sg", "NoSuchAttr"] }, InstanceType: 3 } },
    },
  };
  const problems = checkCfnTemplate(broken);
  assert.ok(problems.some((p) => p.includes("missing required GroupDescription")));
  assert.ok(problems.some((p) => p.includes("GroupDescriptio: not a property")));
  assert.ok(problems.some((p) => p.includes("has no attribute NoSuchAttr")));
  assert.ok(problems.some((p) => p.includes("InstanceType: expected String")));
});
