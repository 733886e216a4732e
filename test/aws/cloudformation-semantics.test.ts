// What the published CloudFormation templates do, beyond what the resource specification checks (cloudformation.test.ts):
// the CPU alarms against the monitoring they get and the reference's "+1 above 80 % for several minutes, −1 below 60 %",
// one load balancer listener per SIP port and for 443, parameters that all have working defaults (no key pair, the default
// VPC) and the conditions and rules that pick what the stack gets.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderClusterTemplate } from "../../regions/artifacts/cluster-template.ts";
import { renderSingleInstanceTemplate } from "../../regions/artifacts/single-instance-template.ts";
import { checkCfnTemplate } from "./check-cfn-template.ts";
import { firstAlarmTime, type CpuAlarm } from "./evaluate-cpu-alarm.ts";
import { makeRecipe } from "./fixtures.ts";
import { resolveCfnTemplate, type ResolvedResource } from "./resolve-cfn-template.ts";

const images = { "us-east-1": "ami-0123456789abcdef0" };
type Template = Parameters<typeof checkCfnTemplate>[0] & Parameters<typeof resolveCfnTemplate>[0];

function resolved(template: Template, parameters: Record<string, string> = {}): Record<string, ResolvedResource> {
  const result = resolveCfnTemplate(template, parameters);
  assert.ok(result.ok, result.ok ? "" : result.errors.join("\n"));
  return result.resources;
}
const errorsOf = (template: Template, parameters: Record<string, string>) => {
  const result = resolveCfnTemplate(template, parameters);
  return result.ok ? [] : result.errors;
};

const cluster = (overrides: Parameters<typeof makeRecipe>[0] = {}) => renderClusterTemplate(makeRecipe(overrides), images) as Template;
const single = (overrides: Parameters<typeof makeRecipe>[0] = {}) => renderSingleInstanceTemplate(makeRecipe(overrides), images) as Template;
const clusterParameters = { VpcId: "vpc-0123456789abcdef0", Subnets: "subnet-0123456789abcdef0,subnet-0123456789abcdef1" };

// The cluster's alarms and the interval at which its instances report CPU.
function alarmsOf(template: Template) {
  const resources = resolved(template, clusterParameters);
  const alarms = Object.values(resources)
    .filter((r) => r.Type === "AWS::CloudWatch::Alarm")
    .map((r) => r.Properties);
  const byPolicy = (policy: string) => alarms.find((a) => JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: policy }])) as unknown as CpuAlarm;
  const data = resources.GatewayLaunchTemplate!.Properties.LaunchTemplateData as { Monitoring?: { Enabled?: boolean } };
  const interval = data.Monitoring?.Enabled === true ? 60 : 300;
  assert.equal(resources.ScaleUpPolicy!.Properties.ScalingAdjustment, 1);
  assert.equal(resources.ScaleDownPolicy!.Properties.ScalingAdjustment, -1);
  return { up: byPolicy("ScaleUpPolicy"), down: byPolicy("ScaleDownPolicy"), interval };
}

const hour = 3600;
const constant = (percent: number) => () => percent;

test("the CPU alarms get a data point in every period they evaluate: detailed monitoring for periods under 300 s", () => {
  const { up, down, interval } = alarmsOf(cluster());
  for (const alarm of [up, down]) {
    assert.ok(
      alarm.Period >= interval && alarm.Period % interval === 0,
      `a ${alarm.Period} s period with a data point every ${interval} s leaves periods without data`,
    );
  }
});

test("+1 gateway when the average CPU stays above 80 % for several minutes, not for a short spike; -1 below 60 %; nothing between", () => {
  const { up, down, interval } = alarmsOf(cluster());
  const upAt = firstAlarmTime(up, interval, constant(90), hour);
  assert.ok(upAt !== undefined, "90 % CPU for an hour never raises the scale-up alarm");
  assert.ok(upAt >= 180 && upAt <= 600, `scale-up after ${upAt} s of 90 % CPU: "several minutes" is 3 to 10`);
  assert.equal(
    firstAlarmTime(up, interval, (s) => (s < 120 ? 95 : 40), hour),
    undefined,
    "a 2-minute spike is not a reason to add a gateway",
  );
  assert.equal(firstAlarmTime(up, interval, constant(80), hour), undefined, "exactly 80 % is not above 80 %");
  const downAt = firstAlarmTime(down, interval, constant(50), hour);
  assert.ok(downAt !== undefined && downAt >= 180 && downAt <= 600, `scale-down after ${downAt} s at 50 % CPU`);
  for (const percent of [60, 70, 80]) {
    assert.deepEqual(
      [firstAlarmTime(up, interval, constant(percent), hour), firstAlarmTime(down, interval, constant(percent), hour)],
      [undefined, undefined],
      `${percent} % CPU: no scaling`,
    );
  }
  assert.equal(firstAlarmTime(up, interval, (s) => (s < 600 ? 50 : 90), hour)! - 600 <= 600, true, "the alarm follows a load that rises later");
});

// Listeners of the cluster's load balancer as "PROTOCOL/port → target group PROTOCOL/port".
function listenersOf(resources: Record<string, ResolvedResource>): string[] {
  const byName = (ref: unknown) => resources[(ref as { Ref: string }).Ref]!;
  return Object.values(resources)
    .filter((r) => r.Type === "AWS::ElasticLoadBalancingV2::Listener")
    .map((l) => {
      const actions = l.Properties.DefaultActions as { Type: string; TargetGroupArn: unknown }[];
      assert.equal(actions.length, 1);
      const group = byName(actions[0]!.TargetGroupArn).Properties;
      return `${l.Properties.Protocol}/${l.Properties.Port} → ${group.Protocol}/${group.Port}`;
    })
    .sort();
}
const nlbListenerQuota = 50;

test("the load balancer has a TCP_UDP listener and target group per SIP port and a TCP one for 443, each group in the auto-scaling group", () => {
  const resources = resolved(cluster(), clusterParameters);
  const sip = Array.from({ length: 10 }, (_, i) => `TCP_UDP/${5060 + i} → TCP_UDP/${5060 + i}`);
  assert.deepEqual(listenersOf(resources), [...sip, "TCP/443 → TCP/443"].sort());
  const groups = Object.entries(resources)
    .filter(([, r]) => r.Type === "AWS::ElasticLoadBalancingV2::TargetGroup")
    .map(([name]) => name)
    .sort();
  assert.deepEqual(
    (resources.GatewayGroup!.Properties.TargetGroupARNs as { Ref: string }[]).map((g) => g.Ref).sort(),
    groups,
    "every target group gets the gateways",
  );
  assert.deepEqual(checkCfnTemplate(cluster()), []);
});

test("listeners follow the recipe's transports and TLS port, and stay within the load balancer's listener quota, saying so in the template", () => {
  const udp = resolved(
    cluster({ gateway: { listen: { sip: { ports: "5060-5061", transports: ["udp"] }, tls: { port: 5081 }, wss: { port: 443 }, rtp: "10000-11000" } } }),
    clusterParameters,
  );
  assert.deepEqual(listenersOf(udp), ["TCP/443 → TCP/443", "TCP/5081 → TCP/5081", "UDP/5060 → UDP/5060", "UDP/5061 → UDP/5061"]);
  const wide = cluster({ gateway: { listen: { sip: { ports: "5100-5249" }, wss: { port: 443 }, rtp: "10000-11000" } } });
  const listeners = listenersOf(resolved(wide, clusterParameters));
  assert.equal(listeners.length, nlbListenerQuota, "as many listeners as a network load balancer takes");
  assert.ok(listeners.includes("TCP/443 → TCP/443") && listeners.includes("TCP_UDP/5100 → TCP_UDP/5100") && listeners.includes("TCP_UDP/5148 → TCP_UDP/5148"));
  assert.match(
    JSON.stringify((wide as { Metadata?: unknown }).Metadata ?? {}),
    /5149-5249.*50 listeners/,
    "the template says which SIP ports the load balancer does not carry, and why",
  );
  assert.deepEqual(checkCfnTemplate(wide), []);
});

test("the single-instance template launches with no parameter given: no key pair (Session Manager), the default VPC, a public address", () => {
  const template = single();
  assert.deepEqual(checkCfnTemplate(template), []);
  const { Gateway, GatewaySecurityGroup } = resolved(template);
  assert.equal(Gateway!.Properties.KeyName, undefined, "no key pair unless one is given");
  assert.equal(GatewaySecurityGroup!.Properties.VpcId, undefined, "the default VPC's security group");
  const [nic] = Gateway!.Properties.NetworkInterfaces as Record<string, unknown>[];
  assert.deepEqual([nic!.DeviceIndex, nic!.AssociatePublicIpAddress, nic!.SubnetId], ["0", true, undefined]);
  assert.deepEqual(nic!.GroupSet, [{ "Fn::GetAtt": ["GatewaySecurityGroup", "GroupId"] }]);
  assert.equal(Gateway!.Properties.SubnetId ?? Gateway!.Properties.SecurityGroupIds, undefined, "subnet and groups belong to the network interface");
});

test("the single-instance template takes a key pair, or a VPC with one of its subnets; a subnet without its VPC or a malformed id is refused", () => {
  const template = single();
  assert.equal(resolved(template, { KeyName: "ops" }).Gateway!.Properties.KeyName, "ops");
  const inVpc = resolved(template, { VpcId: "vpc-0123456789abcdef0", SubnetId: "subnet-0fedcba9876543210" });
  assert.equal(inVpc.GatewaySecurityGroup!.Properties.VpcId, "vpc-0123456789abcdef0");
  assert.equal((inVpc.Gateway!.Properties.NetworkInterfaces as Record<string, unknown>[])[0]!.SubnetId, "subnet-0fedcba9876543210");
  assert.match(errorsOf(template, { SubnetId: "subnet-0fedcba9876543210" }).join("\n"), /VpcId.*SubnetId|SubnetId.*VpcId/);
  assert.match(errorsOf(template, { VpcId: "vpc-0123456789abcdef0" }).join("\n"), /VpcId.*SubnetId|SubnetId.*VpcId/);
  assert.match(errorsOf(template, { SubnetId: "sub-1" }).join("\n"), /SubnetId/);
  assert.match(errorsOf(template, { VpcId: "vpc 1" }).join("\n"), /VpcId/);
});

test("the cluster template needs only its network: the key pair is optional there too", () => {
  const template = cluster();
  assert.deepEqual(errorsOf(template, {}).sort(), ["parameter Subnets has no default and must be given", "parameter VpcId has no default and must be given"]);
  const data = (params: Record<string, string>) =>
    resolved(template, { ...clusterParameters, ...params }).GatewayLaunchTemplate!.Properties.LaunchTemplateData as Record<string, unknown>;
  assert.equal(data({}).KeyName, undefined);
  assert.equal(data({ KeyName: "ops" }).KeyName, "ops");
  assert.equal(resolved(template, clusterParameters).LatencyRecord, undefined, "no Route53 record without a hosted zone");
  assert.ok(resolved(template, { ...clusterParameters, HostedZoneId: "Z123", RecordName: "gw.example.com" }).LatencyRecord);
});
