import type { DialRoute, ParsedRecipe, Upstream } from "./schema.ts";
import { isIpAddress } from "./patterns.ts";
import { catchAllPattern, defaultCodecs, defaultConferencePattern, defaultMusicPattern } from "./defaults.ts";

/** How the gateway checks a TLS upstream's certificate: a pinned CA, the system's CA bundle, or (opted out) not at all. */
export type UpstreamTls = { verify: true; ca: string | undefined } | { verify: false };

/** An upstream with every default applied; `tls` is set for TLS upstreams only. */
export type ResolvedUpstream = Required<Omit<Upstream, "allowFrom" | "tls">> & { allowFrom: string[]; tls: UpstreamTls | undefined };

/** The rules folded into what the compilers need. */
export interface ResolvedRules {
  stripVideo: boolean;
  /** Maximum call duration in seconds; undefined means unlimited (a license may still limit it). */
  maxCallSeconds: number | undefined;
  codecs: { webrtc: string[]; sip: string[] };
}

/** A validated recipe with every default resolved: what `gateway/`, `image/` and `regions/` consume. */
export type Recipe = Omit<ParsedRecipe, "gateway" | "image"> & {
  gateway: Omit<ParsedRecipe["gateway"], "upstreams" | "dialPlan" | "rules"> & {
    upstreams: ResolvedUpstream[];
    dialPlan: DialRoute[];
    rules: ResolvedRules;
  };
  image: ParsedRecipe["image"] & { name: string };
};

// The dial plan of a recipe without one: conference, music, then everything to the first upstream.
export function defaultDialPlan(firstUpstream: string): DialRoute[] {
  return [
    { kind: "conference", pattern: defaultConferencePattern },
    { kind: "music", pattern: defaultMusicPattern },
    { kind: "upstream", pattern: catchAllPattern, upstream: firstUpstream },
  ];
}

// Fills the defaults that depend on other fields (upstream ports, dial plan, image name).
export function resolveRecipe(parsed: ParsedRecipe): Recipe {
  const upstreams = parsed.gateway.upstreams.map(resolveUpstream);
  return {
    ...parsed,
    gateway: {
      ...parsed.gateway,
      upstreams,
      dialPlan: parsed.gateway.dialPlan ?? defaultDialPlan(upstreams[0]!.name),
      rules: resolveRules(parsed.gateway.rules),
    },
    image: { ...parsed.image, name: parsed.image.name ?? parsed.name },
  };
}

function resolveUpstream(upstream: Upstream): ResolvedUpstream {
  return {
    ...upstream,
    port: upstream.port ?? (upstream.transport === "tls" ? 5061 : 5060),
    allowFrom: upstream.allowFrom ?? (isIpAddress(upstream.host) ? [upstream.host] : []),
    tls: upstream.transport !== "tls" ? undefined : upstream.tls?.verify === false ? { verify: false } : { verify: true, ca: upstream.tls?.ca },
  };
}

function resolveRules(rules: ParsedRecipe["gateway"]["rules"]): ResolvedRules {
  const resolved: ResolvedRules = { stripVideo: false, maxCallSeconds: undefined, codecs: { webrtc: [...defaultCodecs.webrtc], sip: [...defaultCodecs.sip] } };
  for (const rule of rules) {
    if (rule.kind === "strip-video") resolved.stripVideo = true;
    else if (rule.kind === "max-call-duration") resolved.maxCallSeconds = Math.min(rule.limit, resolved.maxCallSeconds ?? Infinity);
    else resolved.codecs = { webrtc: [...rule.webrtc], sip: [...rule.sip] };
  }
  return resolved;
}
