import type { Recipe } from "../../dsl/resolve.ts";
import { isIpAddress } from "../../dsl/patterns.ts";
import { kamailioLoopback, runtimePaths } from "../agent/contract.ts";
import { unlimitedCallSeconds } from "../agent/firstboot/render-runtime-settings.ts";
import { buildRtpengineFlags, type RtpengineFlags } from "./rtpengine-flags.ts";
import { defaultInstanceSize, sizeGatewayLimits } from "./size-gateway-limits.ts";
import { tlsConfigPath, upstreamServerId } from "./compile-tls-config.ts";

/** One `#!trydef NAME value` line: every address, port and limit, overridable with `kamailio -A NAME=value`. */
export interface KamailioDefine {
  name: string;
  /** Already in Kamailio syntax: a number, a bare address, or a double-quoted string. */
  value: string;
  comment?: string;
}

/** One listen line on LISTEN_ADDR; `portDefine` names the define that holds its port. */
export interface KamailioListen {
  proto: "udp" | "tcp" | "tls";
  portDefine: string;
}

/** One upstream (PBX), by define prefix. */
export interface KamailioUpstream {
  name: string;
  prefix: string;
  transport: "udp" | "tcp" | "tls";
  /** For TLS: the tls.cfg profile relays to it select, and whether its host name goes out as SNI. */
  tlsProfile?: { serverId: string; sni: boolean };
}

/** One dial-plan route, ready for the template. */
export interface KamailioDialRoute {
  kind: "conference" | "music" | "upstream" | "reject";
  pattern: string;
  /** For conference: a textops `subst_user` expression that keeps the room number (the first capture group). */
  roomSubst?: string;
  upstreamPrefix?: string;
  transport?: "udp" | "tcp" | "tls";
  tlsProfile?: KamailioUpstream["tlsProfile"];
  status?: number;
  reason?: string;
}

/** Everything `kamailio.cfg.hbs` needs, decided here so the template stays declarative. */
export interface KamailioConfigContext {
  /** The runtime defines file the first boot writes (absolute), imported before the defaults. */
  runtimeFile: string;
  /** The module directory for the image's architecture. */
  modulePath: string;
  /** The recipe binds every address (0.0.0.0): on the appliance, bind the instance's local address instead. */
  wildcardListen: boolean;
  defines: KamailioDefine[];
  listens: KamailioListen[];
  tls: boolean;
  ws: boolean;
  metrics: boolean;
  stripVideo: boolean;
  upstreams: KamailioUpstream[];
  /** The upstream that receives REGISTERs (the first one). */
  registrarPrefix: string;
  registrarTransport: "udp" | "tcp" | "tls";
  registrarTlsProfile?: KamailioUpstream["tlsProfile"];
  domainDefines: string[];
  dialPlan: KamailioDialRoute[];
  /** Lower-case POSIX regex alternation of scanner user-agent fragments; empty when the list is empty. */
  scannerPattern: string;
  rtpengine: RtpengineFlags;
  /** How long a proven source's flood counter lives: two windows. */
  floodCounterSeconds: number;
}

const reasons: Record<number, string> = {
  403: "Forbidden",
  404: "Not Found",
  480: "Temporarily Unavailable",
  486: "Busy Here",
  488: "Not Acceptable Here",
  503: "Service Unavailable",
  603: "Decline",
};

// Decides the content of kamailio.cfg from a recipe: pure, deterministic.
export function buildKamailioConfigContext(recipe: Recipe): KamailioConfigContext {
  const { listen, rules, security } = recipe.gateway;
  const defines: KamailioDefine[] = [];
  const define = (name: string, value: string | number, comment?: string) =>
    defines.push({ name, value: typeof value === "number" ? String(value) : value, ...(comment ? { comment } : {}) });

  define("LISTEN_ADDR", socketAddress(listen.address), "address every public listener binds");
  if (listen.advertise) define("ADVERTISE_ADDR", socketAddress(listen.advertise), "public address written into SIP headers");
  const listens: KamailioListen[] = [];
  for (let port = listen.sip.ports.from, i = 0; port <= listen.sip.ports.to; port++, i++) {
    define(`SIP_PORT_${i}`, port);
    for (const proto of listen.sip.transports) listens.push({ proto, portDefine: `SIP_PORT_${i}` });
  }
  if (listen.tls) {
    define("TLS_PORT", listen.tls.port, "SIP over TLS");
    listens.push({ proto: "tls", portDefine: "TLS_PORT" });
  }
  if (listen.ws) {
    define("WS_PORT", listen.ws.port, "plain WebSocket (behind a TLS-terminating load balancer)");
    listens.push({ proto: "tcp", portDefine: "WS_PORT" });
  }
  define("WS_LOOPBACK_ADDR", kamailioLoopback.address, `plain WS + HTTP for the agent, which owns port ${listen.wss.port} (WSS) and proxies to it`);
  define("WS_LOOPBACK_PORT", kamailioLoopback.port);
  if (listen.tls) define("TLS_CONFIG", quote(`/${tlsConfigPath}`), "TLS profiles: each upstream's certificate check");
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
    const tlsProfile = upstream.tls ? { tlsProfile: { serverId: upstreamServerId(i), sni: !isIpAddress(upstream.host) } } : {};
    return { name: upstream.name, prefix, transport: upstream.transport, ...tlsProfile };
  });
  const domainDefines = recipe.gateway.domains.map((domain, i) => {
    define(`DOMAIN_${i}`, quote(domain));
    return `DOMAIN_${i}`;
  });

  define("FLOOD_REQUESTS", security.flood.requests, "requests per window per source before a ban");
  define("FLOOD_WINDOW", Math.max(1, Math.ceil(security.flood.window)), "seconds");
  define("FLOOD_BAN", Math.max(1, Math.ceil(security.flood.ban)), "seconds");
  define(
    "RTCGW_MAX_CALL_SECONDS",
    rules.maxCallSeconds === undefined ? unlimitedCallSeconds : Math.max(1, Math.ceil(rules.maxCallSeconds)),
    "the recipe's limit; the runtime file (license, demo mode) wins",
  );
  define("RTCGW_MAX_PARALLEL_CALLS", recipe.gateway.capacity.parallelCalls, "new INVITEs beyond this get 503");
  defineAttackLimits(define);

  return {
    runtimeFile: `/${runtimePaths.kamailioDefines}`,
    modulePath: `/usr/lib/${multiarchTriplet(recipe.image.arch)}/kamailio/modules/`,
    wildcardListen: listen.address === "0.0.0.0",
    defines,
    listens,
    tls: Boolean(listen.tls),
    ws: Boolean(listen.ws),
    metrics: recipe.gateway.metrics,
    stripVideo: rules.stripVideo,
    upstreams,
    registrarPrefix: upstreams[0]!.prefix,
    registrarTransport: upstreams[0]!.transport,
    ...(upstreams[0]!.tlsProfile ? { registrarTlsProfile: upstreams[0]!.tlsProfile } : {}),
    domainDefines,
    dialPlan: recipe.gateway.dialPlan.map((route) => buildDialRoute(route, recipe)),
    scannerPattern: security.scanners.map((fragment) => escapeRegex(fragment.toLowerCase())).join("|"),
    rtpengine: buildRtpengineFlags(rules.codecs),
    floodCounterSeconds: 2 * Math.max(1, Math.ceil(security.flood.window)),
  };
}

// The limits that keep attackers and overload from costing others their calls (defaults for the instance
// size the image assumes; first boot writes the sized ones into the runtime file, which wins).
function defineAttackLimits(define: (name: string, value: string | number, comment?: string) => void): void {
  const limits = sizeGatewayLimits(defaultInstanceSize);
  define("TCP_IDLE_SECONDS", 20, "a TCP/TLS/WS connection without a valid SIP request is closed after this");
  define("TCP_LIFETIME", 3605, "idle lifetime once a valid SIP request came");
  define("TCP_MAX_CONNECTIONS", limits.tcpMaxConnections, "sized with shared memory by first boot");
  define("BAN_NEW_PER_MINUTE", 2000, "at most this many new bans a minute (bounded ban table)");
  define("AUTH_FAILURES", 5, "failed authentications per hour before a client address or a user is banned");
  define("AUTH_BAN", 60, "seconds of the first authentication ban, doubled at every further ban of the day");
  define("ANONYMOUS_SHARE", 20, "% of RTCGW_MAX_PARALLEL_CALLS that unregistered WebSocket clients may hold");
  define("CALLS_PER_CLIENT", 4, "parallel anonymous calls per client address");
  define("OVERLOAD_CPS", limits.overloadCps, "new calls per second before 503 (first boot: from the cores)");
  define("OVERLOAD_RETRY_AFTER", 5, "seconds, in the 503 of a shed call");
}

// Debian's multiarch directory for an image architecture.
export function multiarchTriplet(arch: "amd64" | "arm64"): string {
  return arch === "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
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
      const upstream = recipe.gateway.upstreams[index]!;
      const tlsProfile = upstream.tls ? { tlsProfile: { serverId: upstreamServerId(index), sni: !isIpAddress(upstream.host) } } : {};
      return { kind: "upstream", pattern: route.pattern, upstreamPrefix: `UPSTREAM_${index}`, transport: upstream.transport, ...tlsProfile };
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
