import type { Recipe } from "../../dsl/resolve.ts";
import { hashRecipe } from "../../dsl/hash-recipe.ts";
import { kamailioLoopback } from "./contract.ts";

/** `/usr/lib/rtcgw/agent.json`: what the agent knows about the recipe it was built from. */
export interface AgentConfig {
  recipe: { name: string; version: string; hash: string };
  admin: { user: string };
  license: { parameter: string; publicKeyPem: string };
  /** The recipe's own limits, before the license. */
  limits: { maxCallSeconds: number | undefined; parallelCalls: number };
  /** HTTPS + WSS listener (admin UI, /tryit/, WebSocket proxy). */
  https: { address: string; port: number };
  advertise: string | undefined;
  kamailio: { address: string; port: number; rpcPath: string };
  rtpengine: { controlPort: number };
  metrics: { cloudwatch: boolean; namespace: string; intervalSeconds: number };
  /** Shown read-only in the admin UI. */
  readable: { domains: string[]; upstreams: string[]; rules: string[]; dialPlan: string[] };
}

// The agent's configuration from a resolved recipe (pure): the same recipe gives the same bytes.
export function compileAgentConfig(recipe: Recipe, licensePublicKeyPem: string): AgentConfig {
  const { gateway } = recipe;
  const rules = gateway.rules;
  return {
    recipe: { name: recipe.name, version: recipe.version, hash: hashRecipe(recipe) },
    admin: { user: gateway.admin.user },
    license: { parameter: gateway.license.parameter, publicKeyPem: licensePublicKeyPem },
    limits: { maxCallSeconds: rules.maxCallSeconds, parallelCalls: gateway.capacity.parallelCalls },
    https: { address: gateway.listen.address, port: gateway.listen.wss.port },
    advertise: gateway.listen.advertise,
    kamailio: { ...kamailioLoopback },
    rtpengine: { controlPort: gateway.listen.rtpengineControl },
    metrics: { cloudwatch: gateway.metrics, namespace: "rtcgw", intervalSeconds: 60 },
    readable: {
      domains: [...gateway.domains],
      upstreams: gateway.upstreams.map((u) => `${u.name}: ${u.transport}:${u.host}:${u.port} (calls accepted from ${u.allowFrom.join(", ") || "nowhere"})`),
      rules: [
        rules.stripVideo ? "video is removed between WebRTC and SIP" : "video passes through",
        rules.maxCallSeconds === undefined
          ? "no call duration limit in the recipe (a license or demo mode may set one)"
          : `calls end after ${rules.maxCallSeconds} s`,
        `codecs: WebRTC side ${rules.codecs.webrtc.join(", ")}; SIP side ${rules.codecs.sip.join(", ")}`,
        `up to ${gateway.capacity.parallelCalls} parallel calls`,
      ],
      dialPlan: gateway.dialPlan.map((route, index) => `${index + 1}. ${route.pattern ?? ".*"} → ${describeRoute(route)}`),
    },
  };
}

function describeRoute(route: Recipe["gateway"]["dialPlan"][number]): string {
  switch (route.kind) {
    case "conference":
      return "audio conference (the digits name the room)";
    case "music":
      return "music";
    case "upstream":
      return `upstream ${route.upstream}`;
    case "reject":
      return `reject with ${route.status ?? 403}`;
  }
}
