import type { Recipe } from "../../dsl/resolve.ts";
import { listOpenListeners } from "../../dsl/appliance-ports.ts";

/** One inbound rule of the gateway's security group. */
export interface IngressRule {
  protocol: "udp" | "tcp";
  from: number;
  to: number;
  cidrs: string[];
  label: string;
}

// The security group rules: every listener the appliance opens (dsl/appliance-ports.ts); SSH only from `image.ssh.allowFrom`.
export function listIngressRules(recipe: Recipe): IngressRule[] {
  return listOpenListeners(recipe).map((listener) => ({
    protocol: listener.protocol,
    from: listener.range.from,
    to: listener.range.to,
    label: listener.label,
    cidrs: listener.exposure === "admin" ? [...recipe.image.ssh.allowFrom] : ["0.0.0.0/0", "::/0"],
  }));
}

// The rules in CloudFormation's `SecurityGroupIngress` shape (IPv4 and IPv6 entries).
export function toSecurityGroupIngress(rules: readonly IngressRule[]): Record<string, unknown>[] {
  return rules.flatMap((rule) =>
    rule.cidrs.map((cidr) => ({
      IpProtocol: rule.protocol,
      FromPort: rule.from,
      ToPort: rule.to,
      Description: rule.label,
      ...(cidr.includes(":") ? { CidrIpv6: cidr } : { CidrIp: cidr }),
    })),
  );
}
