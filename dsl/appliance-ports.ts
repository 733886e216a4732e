import type { Recipe } from "./resolve.ts";
import type { PortRange } from "./units.ts";

// Every port the appliance binds, with its exposure: the one description the overlap rules (dsl/rules/ports.ts),
// the firewall (gateway/nftables) and the AWS security group and go page (regions/artifacts) all derive from.

/** Kamailio's plain WebSocket + HTTP (JSONRPC, /metrics) listener; the agent proxies WSS upgrades to it. */
export const kamailioLoopbackPort = 8090;

/**
 * - `public`: open to everyone (firewall and security group);
 * - `admin`: open only to `image.ssh.allowFrom`;
 * - `loopback`: bound to 127.0.0.1, set by the recipe, never opened;
 * - `internal`: bound to 127.0.0.1 at a port the appliance fixes itself, never opened.
 */
export type PortExposure = "public" | "admin" | "loopback" | "internal";

/** One listener of the appliance. */
export interface ApplianceListener {
  protocol: "udp" | "tcp";
  label: string;
  range: PortRange;
  exposure: PortExposure;
  /** The recipe path that sets it (empty for internal ports). */
  segments: (string | number)[];
}

// Every listener of the appliance for a recipe, in the recipe's order, internal ports last.
export function listApplianceListeners(recipe: Recipe): ApplianceListener[] {
  const { listen, media } = recipe.gateway;
  const single = (port: number): PortRange => ({ from: port, to: port });
  const listeners: ApplianceListener[] = [];
  const add = (protocol: "udp" | "tcp", label: string, range: PortRange, exposure: PortExposure, segments: (string | number)[]) =>
    listeners.push({ protocol, label, range, exposure, segments });
  for (const transport of listen.sip.transports)
    add(transport, `SIP ${transport.toUpperCase()}`, listen.sip.ports, "public", ["gateway", "listen", "sip", "ports"]);
  if (listen.tls) add("tcp", "SIP TLS", single(listen.tls.port), "public", ["gateway", "listen", "tls", "port"]);
  add("tcp", "WSS/HTTPS", single(listen.wss.port), "public", ["gateway", "listen", "wss", "port"]);
  if (listen.ws) add("tcp", "WS", single(listen.ws.port), "public", ["gateway", "listen", "ws", "port"]);
  add("udp", "RTP", listen.rtp, "public", ["gateway", "listen", "rtp"]);
  add("udp", "rtpengine control", single(listen.rtpengineControl), "loopback", ["gateway", "listen", "rtpengineControl"]);
  add("udp", "media service", single(media.port), "loopback", ["gateway", "media", "port"]);
  add("tcp", "SSH", single(recipe.image.ssh.port), "admin", ["image", "ssh", "port"]);
  add("tcp", "Kamailio loopback WS/HTTP", single(kamailioLoopbackPort), "internal", []);
  return listeners;
}

// The listeners a firewall or security group opens (public to everyone, admin to the SSH sources), in order.
export function listOpenListeners(recipe: Recipe): ApplianceListener[] {
  return listApplianceListeners(recipe).filter((listener) => listener.exposure === "public" || listener.exposure === "admin");
}
