import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentConfig } from "../agent-config.ts";
import { collectGatewayStatus, type GatewayStatusSources } from "./collect-gateway-status.ts";
import { renderAdminPage } from "./render-admin-page.ts";
import type { LoginOutcome } from "./check-admin-login.ts";
import type { StaticAsset } from "./load-static-assets.ts";
import { createWebSocketProxy } from "./proxy-websocket.ts";

/** Everything the HTTPS listener on 443 needs; tests pass a free port, fakes and a fixed clock. */
export interface GatewayHttpsOptions {
  config: AgentConfig;
  tls: { cert: string | Buffer; key: string | Buffer };
  listen: { address: string; port: number };
  sources: GatewayStatusSources;
  checkLogin: (authorization: string | undefined, address: string) => Promise<LoginOutcome>;
  /** The /tryit/ files by name. */
  assets: Map<string, StaticAsset>;
  /** Kamailio's loopback WebSocket listener. */
  kamailio: { address: string; port: number };
  /** WebSockets per client address and in total (sized with Kamailio's shared memory: sizeGatewayLimits). */
  webSockets?: { perAddress: number; total: number };
  bootedAt: Date;
  now?: () => Date;
  /** Access log: method, path, status and address only (never headers, so never credentials). */
  log?: (line: string) => void;
}

/** A running listener. */
export interface GatewayHttps {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const securityHeaders = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};
// The admin page has no script at all; /tryit/ runs its own and JsSIP's, from this origin only.
const adminPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const tryitPolicy = "default-src 'self'; connect-src 'self' wss:; media-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// Serves the admin UI at `/` (basic auth), the WebRTC demo at `/tryit/` (public) and proxies SIP WebSocket
// upgrades to Kamailio, all on one TLS port.
export async function startGatewayHttps(options: GatewayHttpsOptions): Promise<GatewayHttps> {
  const log = options.log ?? (() => {});
  // A connection that has not finished its TLS handshake after 10 s, or its request head after 10 more, is closed.
  const server = createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2", handshakeTimeout: 10_000 }, (req, res) => {
    const address = (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
    res.on("finish", () => log(`${address} ${req.method} ${safePath(req)} ${res.statusCode}`));
    handleRequest(options, req, res, address).catch((error: Error) => {
      log(`error answering ${req.method} ${safePath(req)}: ${error.message}`);
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "Internal error\n");
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on("upgrade", createWebSocketProxy({ target: options.kamailio, log, ...options.webSockets }));
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.address, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handleRequest(options: GatewayHttpsOptions, req: IncomingMessage, res: ServerResponse, address: string): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "Read-only: GET only\n", { allow: "GET, HEAD" });
  let pathname: string;
  try {
    pathname = new URL(req.url ?? "/", "https://gateway").pathname;
  } catch {
    return send(res, 400, "text/plain; charset=utf-8", "Bad request\n");
  }
  if (pathname === "/tryit") return send(res, 301, "text/plain; charset=utf-8", "", { location: "/tryit/" });
  if (pathname.startsWith("/tryit/")) return serveAsset(options, res, pathname.slice("/tryit/".length) || "index.html");
  if (pathname !== "/" && pathname !== "/api/status") return send(res, 404, "text/plain; charset=utf-8", "Not found\n");

  const login = await options.checkLogin(req.headers.authorization, address);
  if (login.kind === "limited")
    return send(res, 429, "text/plain; charset=utf-8", "Too many failed logins, try again later\n", { "retry-after": String(login.retryAfterSeconds) });
  if (login.kind !== "ok")
    return send(res, 401, "text/plain; charset=utf-8", "Login required\n", { "www-authenticate": 'Basic realm="rtcgw admin", charset="UTF-8"' });

  const status = await collectGatewayStatus(options.sources);
  const now = (options.now ?? (() => new Date()))();
  if (pathname === "/api/status") {
    const body = { recipe: options.config.recipe, bootedAt: options.bootedAt.toISOString(), licenseReadAtBootOnly: true, ...status };
    return send(res, 200, "application/json; charset=utf-8", `${JSON.stringify(body, null, 2)}\n`);
  }
  return send(res, 200, "text/html; charset=utf-8", renderAdminPage({ config: options.config, status, bootedAt: options.bootedAt, now }), {
    "content-security-policy": adminPolicy,
  });
}

function serveAsset(options: GatewayHttpsOptions, res: ServerResponse, name: string): void {
  const asset = options.assets.get(name);
  if (!asset) return send(res, 404, "text/plain; charset=utf-8", "Not found\n");
  send(res, 200, asset.contentType, asset.body, { "content-security-policy": tryitPolicy, "cache-control": "no-cache" });
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { ...securityHeaders, "content-type": contentType, "content-length": bytes.length, ...headers });
  res.end(res.req.method === "HEAD" ? undefined : bytes);
}

// The path for the access log, without the query (which a careless user might fill with secrets).
function safePath(req: IncomingMessage): string {
  return (req.url ?? "")
    .split("?")[0]!
    .slice(0, 200)
    .replace(/[^\x21-\x7e]/g, "?");
}
