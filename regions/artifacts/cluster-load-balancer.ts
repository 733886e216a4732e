import type { Recipe } from "../../dsl/resolve.ts";
import { formatPortRange } from "../../dsl/units.ts";

/** A network load balancer takes at most 50 listeners (the default Elastic Load Balancing quota "Listeners per Network Load Balancer"). */
const nlbListenerQuota = 50;

/** One port the load balancer forwards to the gateways, with its listener protocol. */
interface ForwardedPort {
  name: string;
  port: number;
  protocol: "TCP" | "UDP" | "TCP_UDP";
}

// What the load balancer forwards: WSS/HTTPS, SIP TLS when the recipe has it, and every SIP port (a listener is one
// port and one protocol: TCP_UDP when SIP runs on both), as many as the listener quota leaves room for. RTP does not go
// through the load balancer: the gateway advertises its own public address in SDP.
function planLoadBalancerPorts(recipe: Recipe): { ports: ForwardedPort[]; notForwarded?: { from: number; to: number } } {
  const { sip, wss, tls } = recipe.gateway.listen;
  const ports: ForwardedPort[] = [{ name: "Https", port: wss.port, protocol: "TCP" }];
  if (tls) ports.push({ name: "SipTls", port: tls.port, protocol: "TCP" });
  const sipProtocol = sip.transports.length === 2 ? "TCP_UDP" : sip.transports[0] === "udp" ? "UDP" : "TCP";
  const room = nlbListenerQuota - ports.length;
  for (let port = sip.ports.from; port <= Math.min(sip.ports.to, sip.ports.from + room - 1); port++)
    ports.push({ name: `Sip${port}`, port, protocol: sipProtocol });
  const lastForwarded = sip.ports.from + room - 1;
  return lastForwarded < sip.ports.to ? { ports, notForwarded: { from: lastForwarded + 1, to: sip.ports.to } } : { ports };
}

// The network load balancer of the cluster: a listener and a target group per forwarded port, TCP health checks on the
// WSS port (an unhealthy gateway is replaced by the auto-scaling group, whose health check type is ELB). `targetGroups`
// lists the groups the auto-scaling group registers its gateways in; `note` says which SIP ports are not forwarded, and why.
export function renderLoadBalancer(recipe: Recipe): { resources: Record<string, unknown>; targetGroups: { Ref: string }[]; note?: string } {
  const wss = recipe.gateway.listen.wss.port;
  const plan = planLoadBalancerPorts(recipe);
  const resources: Record<string, unknown> = {
    LoadBalancer: {
      Type: "AWS::ElasticLoadBalancingV2::LoadBalancer",
      Properties: { Type: "network", Scheme: "internet-facing", Subnets: { Ref: "Subnets" } },
    },
  };
  for (const { name, port, protocol } of plan.ports) {
    resources[`${name}Targets`] = {
      Type: "AWS::ElasticLoadBalancingV2::TargetGroup",
      Properties: {
        VpcId: { Ref: "VpcId" },
        Port: port,
        Protocol: protocol,
        TargetType: "instance",
        HealthCheckProtocol: "TCP",
        HealthCheckPort: String(wss),
        HealthyThresholdCount: 3,
        UnhealthyThresholdCount: 3,
      },
    };
    resources[`${name}Listener`] = {
      Type: "AWS::ElasticLoadBalancingV2::Listener",
      Properties: {
        LoadBalancerArn: { Ref: "LoadBalancer" },
        Port: port,
        Protocol: protocol,
        DefaultActions: [{ Type: "forward", TargetGroupArn: { Ref: `${name}Targets` } }],
      },
    };
  }
  const targetGroups = plan.ports.map((p) => ({ Ref: `${p.name}Targets` }));
  if (!plan.notForwarded) return { resources, targetGroups };
  const note = `SIP ports ${formatPortRange(plan.notForwarded)} are not forwarded by the load balancer: a network load balancer takes at most ${nlbListenerQuota} listeners, one per port and protocol. Clients reach those ports on each gateway's own public address.`;
  return { resources, targetGroups, note };
}
