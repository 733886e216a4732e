import type { Recipe } from "../../dsl/resolve.ts";
import { listBoundRanges } from "../../dsl/rules/ports.ts";

/** One inbound rule of the gateway's security group. */
export interface IngressRule {
  protocol: "udp" | "tcp";
  from: number;
  to: number;
  cidrs: string[];
  label: string;
}

// Recipe paths of listeners bound to loopback only (rtpengine control, media service): never opened in a security group.
const loopbackOnly = ["gateway.listen.rtpengineControl", "gateway.media.port"];

// The security group rules: every public listener of the recipe; SSH only from `image.ssh.allowFrom`.
export function listIngressRules(recipe: Recipe): IngressRule[] {
  return listBoundRanges(recipe)
    .filter((r) => !loopbackOnly.includes(r.segments.join(".")))
    .map((r) => ({
      protocol: r.protocol,
      from: r.range.from,
      to: r.range.to,
      label: r.label,
      cidrs: r.segments.join(".") === "image.ssh.port" ? [...recipe.image.ssh.allowFrom] : ["0.0.0.0/0", "::/0"],
    }));
}

// The rules in CloudFormation's `SecurityGroupIngress` shape (IPv4 and IPv6 entries).
export function toSecurityGroupIngress(rules: readonly IngressRule[]): Record<string, unknown>[] {
  return rules.flatMap((rule) =>
    rule.cidrs.map((cidr) => ({
      IpProtocol: rule.protocol, FromPort: rule.from, ToPort: rule.to, Description: rule.label,
      ...(cidr.includes(":") ? { CidrIpv6: cidr } : { CidrIp: cidr }),
    })),
  );
}
