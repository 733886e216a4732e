import { listBoundRanges, type BoundRange } from "../../dsl/rules/ports.ts";
import type { Recipe } from "../../dsl/resolve.ts";

// Listeners bound on loopback only: rtpengine's ng control and the on-board media service. They appear in
// listBoundRanges (they must not collide) but the firewall must never open them.
const loopbackOnly = ["gateway.listen.rtpengineControl", "gateway.media.port"];
const ssh = "image.ssh.port";

// The port ranges open to everyone (SIP, TLS, WSS/HTTPS, WS, RTP), in the recipe's order.
export function listPublicRanges(recipe: Recipe): BoundRange[] {
  return listBoundRanges(recipe).filter((range) => {
    const path = range.segments.join(".");
    return !loopbackOnly.includes(path) && path !== ssh;
  });
}
