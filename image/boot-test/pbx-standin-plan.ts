// Pure: where the boot test's PBX stand-in answers so that the VM's Kamailio reaches it as it would reach
// the recipe's PBX: at the address the recipe names for the first UDP upstream (its host when that is an
// IPv4 address, else its single allowed source), which the host side of the VM's network takes on, with the
// DNS stand-in answering the upstream's host name with it. A host name without a single allowed source gets
// the host side's own address.
import { isIPv4 } from "node:net";
import type { Recipe } from "../../dsl/resolve.ts";

/** The PBX stand-in of one boot. */
export interface PbxStandinPlan {
  upstream: string;
  host: string;
  /** The address the stand-in binds on the host side (an extra /32 when it is not the host side's own). */
  address: string;
  port: number;
  /** Host names the DNS stand-in answers with `address`. */
  dnsNames: string[];
}

// The stand-in for `recipe`, or a reason there is none (the stand-in speaks SIP over UDP only).
export function planPbxStandin(recipe: Recipe, network: { hostSide: string; prefix: string }): PbxStandinPlan | { none: string } {
  const upstream = recipe.gateway.upstreams.find((u) => u.transport === "udp");
  if (!upstream)
    return {
      none: `the PBX stand-in speaks SIP over UDP only; the recipe's upstreams use ${recipe.gateway.upstreams.map((u) => `${u.name}: ${u.transport}`).join(", ")}`,
    };
  const usable = (address: string | undefined) =>
    address !== undefined && isIPv4(address) && !address.startsWith("127.") && !address.startsWith("169.254.") && !address.startsWith(network.prefix);
  if (isIPv4(upstream.host)) {
    if (!usable(upstream.host))
      return { none: `upstream ${upstream.name}'s address ${upstream.host} is loopback, link-local or inside the boot test's own network` };
    return { upstream: upstream.name, host: upstream.host, address: upstream.host, port: upstream.port, dnsNames: [] };
  }
  const allowed = /^([\d.]+)(\/32)?$/.exec(upstream.allowFrom.length === 1 ? upstream.allowFrom[0]! : "")?.[1];
  return {
    upstream: upstream.name,
    host: upstream.host,
    address: usable(allowed) ? allowed! : network.hostSide,
    port: upstream.port,
    dnsNames: [upstream.host],
  };
}
