// The network probes of the smoke and boot tests: SIP OPTIONS over UDP or TCP, a REGISTER over a WebSocket,
// rtpengine's ng `ping` and HTTPS requests to the agent. Each resolves to a check result; none throws.
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { request } from "node:https";
import WebSocket from "ws";
import { makeToken, parseSipMessage, renderOptions, renderWebSocketRegister } from "./sip-messages.ts";

/** One check of the smoke test. */
export interface SmokeCheck {
  name: string;
  ok: boolean;
  detail: string;
}

// Sends OPTIONS to host:port over UDP (or TCP) and waits for a final response; ok on any final response (the
// status, which depends on the config's policy for the Request-URI, is the detail).
export function probeSipOptions(host: string, port: number, timeoutMs: number, bindAddress = host, transport: "udp" | "tcp" = "udp"): Promise<SmokeCheck> {
  const name = `kamailio answers SIP OPTIONS over ${transport.toUpperCase()}`;
  const render = (local: string) => renderOptions(`${host}:${port}`, local, transport);
  const judge = (reply: string): SmokeCheck | undefined => {
    const status = parseSipMessage(reply).startLine;
    if (/^SIP\/2\.0 1\d\d/.test(status)) return undefined;
    return { name, ok: /^SIP\/2\.0 [2-6]\d\d /.test(status), detail: `${status} (${host}:${port})` };
  };
  return transport === "udp"
    ? udpExchange(host, port, render, timeoutMs, judge, name, bindAddress)
    : tcpExchange(host, port, render, timeoutMs, judge, name, bindAddress);
}

// Sends bencoded `ping` to rtpengine's ng port; ok on `pong`.
export function probeRtpenginePing(host: string, port: number, timeoutMs: number): Promise<SmokeCheck> {
  const cookie = makeToken();
  return udpExchange(
    host,
    port,
    () => `${cookie} d7:command4:pinge`,
    timeoutMs,
    (reply) => {
      if (!reply.startsWith(`${cookie} `)) return undefined;
      const body = reply.slice(cookie.length + 1);
      return { name: "rtpengine answers ng ping", ok: body === "d6:result4:ponge", detail: body };
    },
    "rtpengine answers ng ping",
  );
}

// Opens `url` (ws:// or wss://, any certificate) with the `sip` subprotocol, sends REGISTER, waits for a final response.
export function probeWebSocketRegister(url: string, domain: string, timeoutMs: number, name = "kamailio relays a WebSocket REGISTER"): Promise<SmokeCheck> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "sip", { rejectUnauthorized: false, handshakeTimeout: timeoutMs });
    const finish = (check: SmokeCheck) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(check);
    };
    const timer = setTimeout(() => finish({ name, ok: false, detail: `no final response within ${timeoutMs} ms` }), timeoutMs);
    ws.on("open", () => ws.send(renderWebSocketRegister(domain, "smoke")));
    ws.on("message", (data) => {
      const status = parseSipMessage(data.toString()).startLine;
      if (!/^SIP\/2\.0 1\d\d/.test(status)) finish({ name, ok: /^SIP\/2\.0 200/.test(status), detail: status });
    });
    ws.on("error", (error) => finish({ name, ok: false, detail: error.message }));
  });
}

/** What an HTTPS probe expects. */
export interface HttpsExpectation {
  status: number;
  /** Basic credentials to send. */
  login?: { user: string; password: string };
  /** A header the answer must carry, matched against a pattern. */
  header?: { name: string; pattern: RegExp };
  /** A pattern the body must match. */
  body?: RegExp;
}

// GETs `url` (any certificate: the image's is self-signed) and compares the answer with `expect`.
export function probeHttps(name: string, url: string, expect: HttpsExpectation, timeoutMs: number): Promise<SmokeCheck> {
  return new Promise((resolve) => {
    const headers = expect.login ? { authorization: `Basic ${Buffer.from(`${expect.login.user}:${expect.login.password}`).toString("base64")}` } : {};
    const req = request(url, { rejectUnauthorized: false, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const header = expect.header ? String(res.headers[expect.header.name] ?? "") : "";
        const problems = [
          res.statusCode === expect.status ? "" : `status ${res.statusCode}, expected ${expect.status}`,
          !expect.header || expect.header.pattern.test(header) ? "" : `${expect.header.name}: "${header}" does not match ${expect.header.pattern}`,
          !expect.body || expect.body.test(body) ? "" : `the body does not match ${expect.body}`,
        ].filter(Boolean);
        resolve({ name, ok: problems.length === 0, detail: problems.join("; ") || `${res.statusCode}` });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ name, ok: false, detail: error.message }));
    req.end();
  });
}

function udpExchange(
  host: string,
  port: number,
  render: (local: string) => string,
  timeoutMs: number,
  judge: (reply: string) => SmokeCheck | undefined,
  name: string,
  bindAddress = host,
): Promise<SmokeCheck> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const finish = (check: SmokeCheck) => {
      clearTimeout(timer);
      socket.close();
      resolve(check);
    };
    const timer = setTimeout(() => finish({ name, ok: false, detail: `no answer from ${host}:${port} within ${timeoutMs} ms` }), timeoutMs);
    socket.on("message", (data) => {
      const check = judge(data.toString("utf8"));
      if (check) finish(check);
    });
    socket.on("error", (error) => finish({ name, ok: false, detail: error.message }));
    // By default the target is on this machine: the same address is a source it can answer.
    socket.bind(0, bindAddress, () => {
      const local = `${bindAddress}:${socket.address().port}`;
      socket.send(render(local), port, host);
    });
  });
}

// One SIP exchange over a TCP connection from bindAddress: each complete message (head and Content-Length body) is judged in turn.
function tcpExchange(
  host: string,
  port: number,
  render: (local: string) => string,
  timeoutMs: number,
  judge: (reply: string) => SmokeCheck | undefined,
  name: string,
  bindAddress: string,
): Promise<SmokeCheck> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, localAddress: bindAddress });
    let received = "";
    const finish = (check: SmokeCheck) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(check);
    };
    const timer = setTimeout(() => finish({ name, ok: false, detail: `no answer from ${host}:${port} within ${timeoutMs} ms` }), timeoutMs);
    socket.on("connect", () => socket.write(render(`${socket.localAddress}:${socket.localPort}`)));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      for (let end = received.indexOf("\r\n\r\n"); end >= 0; end = received.indexOf("\r\n\r\n")) {
        const length = Number(parseSipMessage(received.slice(0, end)).headers.get("content-length")?.[0] ?? 0);
        if (received.length < end + 4 + length) return;
        const message = received.slice(0, end + 4 + length);
        received = received.slice(end + 4 + length);
        const check = judge(message);
        if (check) return finish(check);
      }
    });
    socket.on("error", (error) => finish({ name, ok: false, detail: error.message }));
    socket.on("close", () => finish({ name, ok: false, detail: `${host}:${port} closed the connection without a final response` }));
  });
}
