import { listOpenListeners, type ApplianceListener } from "../../dsl/appliance-ports.ts";
import type { Recipe } from "../../dsl/resolve.ts";

// The port ranges open to everyone (SIP, TLS, WSS/HTTPS, WS, RTP), in the recipe's order; SSH has its own
// rule (sources and rate limit) in the template, loopback and internal ports are never opened.
export function listPublicRanges(recipe: Recipe): ApplianceListener[] {
  return listOpenListeners(recipe).filter((listener) => listener.exposure === "public");
}
