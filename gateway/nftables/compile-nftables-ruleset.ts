import type { Recipe } from "../../dsl/resolve.ts";
import { formatPortRange } from "../../dsl/units.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";
import { listPublicRanges } from "./public-ports.ts";
import { tcpConnectionsPerSource } from "../kamailio/size-gateway-limits.ts";

/** What nftables.conf.hbs needs. */
export interface NftablesContext {
  ports: { protocol: "udp" | "tcp"; ports: string; label: string }[];
  /** The public TCP ports (ranges), capped per source address. */
  tcpPorts: string[];
  tcpPerSource: number;
  ssh: { port: number; ipv4: string[]; ipv6: string[]; perMinute: number; burst: number };
}

// The template context for a recipe (pure): public listeners, SSH sources split by address family.
export function buildNftablesContext(recipe: Recipe): NftablesContext {
  const { ssh } = recipe.image;
  const ports = listPublicRanges(recipe).map((r) => ({ protocol: r.protocol, ports: formatPortRange(r.range), label: r.label }));
  return {
    ports,
    tcpPorts: ports.filter((p) => p.protocol === "tcp").map((p) => p.ports),
    tcpPerSource: tcpConnectionsPerSource,
    ssh: {
      port: ssh.port,
      ipv4: ssh.allowFrom.filter((cidr) => !cidr.includes(":")),
      ipv6: ssh.allowFrom.filter((cidr) => cidr.includes(":")),
      perMinute: ssh.rateLimitPerMinute,
      burst: Math.min(ssh.rateLimitPerMinute, 5),
    },
  };
}

// etc/nftables.conf: default-drop inbound with exactly the recipe's ports open.
export function compileNftablesRuleset(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const content = renderTemplate("gateway/nftables/nftables.conf.hbs", buildNftablesContext(recipe));
  return [{ path: "etc/nftables.conf", content: withGeneratedHeader(content, from, "#"), mode: 0o755 }];
}
