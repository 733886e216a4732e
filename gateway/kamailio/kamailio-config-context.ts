import type { Recipe } from "../../dsl/resolve.ts";
import { isIpAddress } from "../../dsl/patterns.ts";
import { buildRtpengineFlags, type RtpengineFlags } from "./rtpengine-flags.ts";

/** One `#!trydef NAME value` line: every address, port and limit, overridable with `kamailio -A NAME=value`. */
export interface KamailioDefine {
  name: string;
  /** Already in Kamailio syntax: a number, a bare address, or a double-quoted string. */
  value: string;
  comment?: string;
}

/** One listen line; `addressDefine`/`portDefine` name the defines that hold its socket. */
export interface KamailioListen {
  proto: "udp" | "tcp" | "tls";
  portDefine: string;
  advertise: boolean;
}

/** One upstream (PBX), by define prefix. */
export interface KamailioUpstream {
  name: string;
  prefix: string;
  transport: "udp" | "tcp" | "tls";
}

/** One dial-plan route, ready for the template. */
export interface KamailioDialRoute {
  kind: "conference" | "music" | "upstream" | "reject";
  pattern: string;
  /** For conference: a textops `subst_user` expression that keeps the room number (the first capture group). */
  roomSubst?: string;
  upstreamPrefix?: string;
  transport?: "udp" | "tcp" | "tls";
  status?: number;
  reason?: string;
}

/** Everything `kamailio.cfg.hbs` needs, decided here so the template stays declarative. */
export interface KamailioConfigContext {
  defines: KamailioDefine[];
  listens: KamailioListen[];
  advertise: boolean;
  tls: boolean;
  ws: boolean;
  metrics: boolean;
  stripVideo: boolean;
  maxDuration: boolean;
  upstreams: KamailioUpstream[];
  /** The upstream that receives REGISTERs (the first one). */
  registrarPrefix: string;
  registrarTransport: "udp" | "tcp" | "tls";
  domainDefines: string[];
  dialPlan: KamailioDialRoute[];
  /** Lower-case POSIX regex alternation of scanner user-agent fragments; empty when the list is empty. */
  scannerPattern: string;
  rtpengine: RtpengineFlags;
}

/** The appliance's certificate pair, written by the first-boot agent. */
export const defaultTlsCertificate = "/etc/rtcgw/tls/cert.pem";
export const defaultTlsKey = "/etc/rtcgw/tls/key.pem";

const reasons: Record<number, string> = {
  403: "Forbidden", 404: "Not Found", 480: "Temporarily Unavailable", 486: "Busy Here", 488: "Not Acceptable Here",
  503: "Service Unavailable", 603: "Decline",
};

// Decides the content of kamailio.cfg from a recipe: pure, deterministic.
export function buildKamailioConfigContext(recipe: Recipe): KamailioConfigContext {
  const { listen, rules, security } = recipe.gateway;
  const defines: KamailioDefine[] = [];
  const define = (name: string, value: string | number, comment?: string) =>
    defines.push({ name, value: typeof value === "number" ? String(value) : value, ...(comment ? { comment } : {}) });

  define("LISTEN_ADDR", socketAddress(listen.address), "address every listener binds");
  if (listen.advertise) define("ADVERTISE_ADDR", socketAddress(listen.advertise), "public address written into SIP headers");
  const listens: KamailioListen[] = [];
  const advertise = listen.advertise !== undefined;
  for (let port = listen.sip.ports.from, i = 0; port <= listen.sip.ports.to; port++, i++) {
    define(`SIP_PORT_${i}`, port);
    for (const proto of listen.sip.transports) listens.push({ proto, portDefine: `SIP_PORT_${i}`, advertise });
  }
  if (listen.tls) {
    define("TLS_PORT", listen.tls.port, "SIP over TLS");
    listens.push({ proto: "tls", portDefine: "TLS_PORT", advertise });
  }
  define("WSS_PORT", listen.wss.port, "WebSocket over TLS (browsers) and HTTPS");
  listens.push({ proto: "tls", portDefine: "WSS_PORT", advertise });
  if (listen.ws) {
    define("WS_PORT", listen.ws.port, "plain WebSocket (behind a TLS-terminating load balancer)");
    listens.push({ proto: "tcp", portDefine: "WS_PORT", advertise });
  }
  define("TLS_CERT", quote(defaultTlsCertificate));
  define("TLS_KEY", quote(defaultTlsKey));
  define("WORKERS", 4, "UDP workers per socket and TCP workers");
  define("LOG_LEVEL", 1, "1 = notices, warnings and errors; 2 adds info");
  define("RTPENGINE_SOCKET", quote(`udp:127.0.0.1:${listen.rtpengineControl}`));
  define("MEDIA_ADDR", quote("127.0.0.1"), "conference and music service");
  define("MEDIA_PORT", recipe.gateway.media.port);

  const upstreams = recipe.gateway.upstreams.map((upstream, i): KamailioUpstream => {
    const prefix = `UPSTREAM_${i}`;
    define(`${prefix}_HOST`, quote(upstream.host), `upstream "${upstream.name}"`);
    define(`${prefix}_PORT`, upstream.port);
    define(`${prefix}_ALLOW`, quote(upstream.allowFrom.map(withPrefixLength).join(",")), "sources allowed to send calls in");
    return { name: upstream.name, prefix, transport: upstream.transport };
  });
  const domainDefines = recipe.gateway.domains.map((domain, i) => {
    define(`DOMAIN_${i}`, quote(domain));
    return `DOMAIN_${i}`;
  });

  define("FLOOD_REQUESTS", security.flood.requests, "requests per window per source before a ban");
  define("FLOOD_WINDOW", Math.max(1, Math.ceil(security.flood.window)), "seconds");
  define("FLOOD_BAN", Math.max(1, Math.ceil(security.flood.ban)), "seconds");
  if (rules.maxCallSeconds !== undefined) define("MAX_CALL_SECONDS", Math.max(1, Math.ceil(rules.maxCallSeconds)));

  return {
    defines,
    listens,
    advertise,
    tls: listen.tls !== false,
    ws: listen.ws !== false,
    metrics: recipe.gateway.metrics,
    stripVideo: rules.stripVideo,
    maxDuration: rules.maxCallSeconds !== undefined,
    upstreams,
    registrarPrefix: upstreams[0]!.prefix,
    registrarTransport: upstreams[0]!.transport,
    domainDefines,
    dialPlan: recipe.gateway.dialPlan.map((route) => buildDialRoute(route, recipe)),
    scannerPattern: security.scanners.map((fragment) => escapeRegex(fragment.toLowerCase())).join("|"),
    rtpengine: buildRtpengineFlags(rules.codecs),
  };
}

function buildDialRoute(route: Recipe["gateway"]["dialPlan"][number], recipe: Recipe): KamailioDialRoute {
  switch (route.kind) {
    case "conference":
      return { kind: "conference", pattern: route.pattern, ...(hasCaptureGroup(route.pattern) ? { roomSubst: `/${route.pattern}/\\1/` } : {}) };
    case "music":
      return { kind: "music", pattern: route.pattern };
    case "upstream": {
      const index = recipe.gateway.upstreams.findIndex((upstream) => upstream.name === route.upstream);
      if (index < 0) throw new Error(`dial route names the unknown upstream \`${route.upstream}\` (the rules pass should have caught it)`);
      return { kind: "upstream", pattern: route.pattern, upstreamPrefix: `UPSTREAM_${index}`, transport: recipe.gateway.upstreams[index]!.transport };
    }
    case "reject":
      return { kind: "reject", pattern: route.pattern, status: route.status, reason: reasons[route.status] ?? "Rejected" };
  }
}

function hasCaptureGroup(pattern: string): boolean {
  return (new RegExp(`${pattern}|`).exec("")?.length ?? 1) > 1;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function quote(text: string): string {
  return `"${text}"`;
}

function socketAddress(host: string): string {
  return isIpAddress(host) && host.includes(":") ? `[${host}]` : host;
}

function withPrefixLength(cidr: string): string {
  if (cidr.includes("/")) return cidr;
  return cidr.includes(":") ? `${cidr}/128` : `${cidr}/32`;
}
