import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { formatPortRange, type PortRange } from "../units.ts";

/** A port range the gateway binds, with the recipe path that set it. */
export interface BoundRange {
  protocol: "udp" | "tcp";
  label: string;
  segments: (string | number)[];
  range: PortRange;
}

// Every port the appliance listens on, per protocol: what nftables opens and what must not collide.
export function listBoundRanges(recipe: Recipe): BoundRange[] {
  const { listen, media } = recipe.gateway;
  const single = (port: number): PortRange => ({ from: port, to: port });
  const ranges: BoundRange[] = [];
  for (const transport of listen.sip.transports) {
    ranges.push({ protocol: transport, label: `SIP ${transport.toUpperCase()}`, segments: ["gateway", "listen", "sip", "ports"], range: listen.sip.ports });
  }
  if (listen.tls) ranges.push({ protocol: "tcp", label: "SIP TLS", segments: ["gateway", "listen", "tls", "port"], range: single(listen.tls.port) });
  ranges.push({ protocol: "tcp", label: "WSS/HTTPS", segments: ["gateway", "listen", "wss", "port"], range: single(listen.wss.port) });
  if (listen.ws) ranges.push({ protocol: "tcp", label: "WS", segments: ["gateway", "listen", "ws", "port"], range: single(listen.ws.port) });
  ranges.push({ protocol: "udp", label: "RTP", segments: ["gateway", "listen", "rtp"], range: listen.rtp });
  ranges.push({ protocol: "udp", label: "rtpengine control", segments: ["gateway", "listen", "rtpengineControl"], range: single(listen.rtpengineControl) });
  ranges.push({ protocol: "udp", label: "media service", segments: ["gateway", "media", "port"], range: single(media.port) });
  ranges.push({ protocol: "tcp", label: "SSH", segments: ["image", "ssh", "port"], range: single(recipe.image.ssh.port) });
  return ranges;
}

// Two listeners of the same protocol must not share a port.
export function checkPortOverlaps(recipe: Recipe): Problem[] {
  const ranges = listBoundRanges(recipe);
  const problems: Problem[] = [];
  ranges.forEach((later, j) => {
    const earlier = ranges.slice(0, j).find((r) => r.protocol === later.protocol && r.range.from <= later.range.to && later.range.from <= r.range.to);
    if (!earlier) return;
    problems.push(
      problemAt(
        later.segments,
        `${later.label} ${formatPortRange(later.range)}/${later.protocol} overlaps ${earlier.label} ${formatPortRange(earlier.range)}/${earlier.protocol} (${earlier.segments.join(".")}): give each listener its own ports`,
      ),
    );
  });
  return problems;
}
