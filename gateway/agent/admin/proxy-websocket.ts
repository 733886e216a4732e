import { connect, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** Where upgrades go and how many each address may hold. */
export interface WebSocketProxyOptions {
  target: { address: string; port: number };
  /** Concurrent WebSockets per client address. @default 20 */
  perAddress?: number;
  /** Concurrent WebSockets in total. @default 4000 */
  total?: number;
  log?: (line: string) => void;
}

// Headers the client must not set: Kamailio trusts what the agent writes there.
const spoofable = new Set(["x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-proto"]);

// Returns the `upgrade` handler: a WebSocket upgrade for SIP (`Sec-WebSocket-Protocol: sip`, path `/` or `/ws`)
// is passed byte for byte to Kamailio's loopback WS listener, which performs the handshake itself; the agent
// adds `X-Forwarded-For` with the client's address. Anything else is refused.
export function createWebSocketProxy(options: WebSocketProxyOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const perAddress = options.perAddress ?? 20;
  const total = options.total ?? 4000;
  const open = new Map<string, number>();
  let count = 0;
  return (req, socket, head) => {
    const address = req.socket.remoteAddress ?? "unknown";
    const path = (req.url ?? "").split("?")[0];
    const protocols = String(req.headers["sec-websocket-protocol"] ?? "")
      .split(",")
      .map((p) => p.trim().toLowerCase());
    if (String(req.headers.upgrade).toLowerCase() !== "websocket" || (path !== "/" && path !== "/ws") || !protocols.includes("sip")) {
      return refuse(socket, 400, "Bad Request");
    }
    if ((open.get(address) ?? 0) >= perAddress || count >= total) return refuse(socket, 503, "Service Unavailable");
    open.set(address, (open.get(address) ?? 0) + 1);
    count++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      count--;
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    };
    const upstream: Socket = connect(options.target.port, options.target.address);
    upstream.setNoDelay(true);
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      upstream.write(requestHead(req, address));
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.once("error", (error) => {
      options.log?.(`websocket to Kamailio ${options.target.address}:${options.target.port} failed: ${error.message}`);
      if (!connected) refuse(socket, 502, "Bad Gateway");
      else socket.destroy();
    });
    socket.once("error", () => upstream.destroy());
    socket.once("close", () => {
      upstream.destroy();
      release();
    });
    upstream.once("close", () => {
      socket.destroy();
      release();
    });
  };
}

// The client's request line and headers, minus spoofable forwarding headers, plus the agent's own.
function requestHead(req: IncomingMessage, address: string): string {
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!spoofable.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  lines.push(`X-Forwarded-For: ${address.replace(/^::ffff:/, "")}`, "X-Forwarded-Proto: wss");
  return `${lines.join("\r\n")}\r\n\r\n`;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 1000).unref();
}
