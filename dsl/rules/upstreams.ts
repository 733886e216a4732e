import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { closestName } from "../suggest.ts";
import { isIpAddress } from "../patterns.ts";

// Upstream names are unique, each has a listener of its transport and accepts calls from somewhere, and every
// route names one that exists (JSON/YAML recipes skip the type checker).
export function checkUpstreams(recipe: Recipe): Problem[] {
  const { upstreams, dialPlan } = recipe.gateway;
  const problems: Problem[] = [];
  const names = upstreams.map((u) => u.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index)
      problems.push(problemAt(["gateway", "upstreams", index, "name"], `duplicate upstream name "${name}": names must be unique`));
  });
  upstreams.forEach((upstream, index) => {
    const missing = missingListener(recipe, upstream.transport);
    if (missing)
      problems.push(
        problemAt(
          ["gateway", "upstreams", index, "transport"],
          `upstream "${upstream.name}" uses ${upstream.transport.toUpperCase()} but the gateway has no ${missing}`,
        ),
      );
    if (upstream.tls?.verify === false) {
      problems.push(
        problemAt(
          ["gateway", "upstreams", index, "tls", "verify"],
          `upstream "${upstream.name}": its TLS certificate is not verified, so anyone on the path can pose as it; pin its CA with tls: { ca: "-----BEGIN CERTIFICATE-----..." } instead`,
          "warning",
        ),
      );
    }
    if (upstream.allowFrom.length === 0 && !isIpAddress(upstream.host)) {
      problems.push(
        problemAt(
          ["gateway", "upstreams", index, "allowFrom"],
          `upstream "${upstream.name}" is a host name and allowFrom is empty: the gateway refuses every call from it; list its source addresses, e.g. allowFrom: ["192.0.2.10/32"]`,
          "warning",
        ),
      );
    }
  });
  dialPlan.forEach((route, index) => {
    if (route.kind !== "upstream" || names.includes(route.upstream)) return;
    const guess = closestName(route.upstream, names);
    const hint = guess ? `did you mean "${guess}"?` : `known upstreams: ${names.map((n) => `"${n}"`).join(", ")}`;
    problems.push(problemAt(["gateway", "dialPlan", index, "upstream"], `unknown upstream "${route.upstream}": ${hint}`));
  });
  return problems;
}

// Kamailio sends to an upstream from a socket of the upstream's transport; without one it falls back to its
// internal loopback socket (TCP) or fails (`no corresponding socket found`).
function missingListener(recipe: Recipe, transport: "udp" | "tcp" | "tls"): string | undefined {
  const { listen } = recipe.gateway;
  if (transport === "tls") return listen.tls ? undefined : "TLS listener to reach it from: add gateway.listen.tls ({ port: 5061 })";
  if (listen.sip.transports.includes(transport)) return undefined;
  return `SIP ${transport.toUpperCase()} listener to reach it from: add "${transport}" to gateway.listen.sip.transports`;
}
