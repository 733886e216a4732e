import type { Recipe } from "../../dsl/resolve.ts";

// The network load balancer of the cluster: WSS/HTTPS over TCP and SIP over UDP+TCP to the gateways, TCP health checks
// (an unhealthy gateway is replaced by the auto-scaling group, whose health check type is ELB).
export function renderLoadBalancer(recipe: Recipe): Record<string, unknown> {
  const wss = recipe.gateway.listen.wss.port;
  const sip = recipe.gateway.listen.sip.ports.from;
  const sipProtocol = recipe.gateway.listen.sip.transports.length === 2 ? "TCP_UDP" : recipe.gateway.listen.sip.transports[0]!.toUpperCase();
  const targets = (port: number, protocol: string) => ({
    Type: "AWS::ElasticLoadBalancingV2::TargetGroup",
    Properties: { VpcId: { Ref: "VpcId" }, Port: port, Protocol: protocol, TargetType: "instance", HealthCheckProtocol: "TCP", HealthCheckPort: String(wss), HealthyThresholdCount: 3, UnhealthyThresholdCount: 3 },
  });
  const listener = (port: number, protocol: string, group: string) => ({
    Type: "AWS::ElasticLoadBalancingV2::Listener",
    Properties: { LoadBalancerArn: { Ref: "LoadBalancer" }, Port: port, Protocol: protocol, DefaultActions: [{ Type: "forward", TargetGroupArn: { Ref: group } }] },
  });
  return {
    LoadBalancer: { Type: "AWS::ElasticLoadBalancingV2::LoadBalancer", Properties: { Type: "network", Scheme: "internet-facing", Subnets: { Ref: "Subnets" } } },
    HttpsTargets: targets(wss, "TCP"),
    SipTargets: targets(sip, sipProtocol),
    HttpsListener: listener(wss, "TCP", "HttpsTargets"),
    SipListener: listener(sip, sipProtocol, "SipTargets"),
  };
}
