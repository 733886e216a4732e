// The network probes of the smoke test: SIP OPTIONS over UDP, a REGISTER over a WebSocket and
// rtpengine's ng `ping`. Each resolves to a check result; none throws.
import { createSocket } from "node:dgram";
import WebSocket from "ws";
import { makeToken, parseSipMessage, renderOptions, renderWebSocketRegister } from "./sip-messages.ts";

/** One check of the smoke test. */
export interface SmokeCheck {
  name: string;
  ok: boolean;
  detail: string;
}

// Sends OPTIONS to host:port over UDP and waits for a final response; ok on any final response (the
// status, which depends on the config's policy for the Request-URI, is the detail).
export function probeSipOptions(host: string, port: number, timeoutMs: number): Promise<SmokeCheck> {
  return udpExchange(host, port, (local) => renderOptions(`${host}:${port}`, local), timeoutMs, (reply) => {
    const status = parseSipMessage(reply).startLine;
    if (/^SIP\/2\.0 1\d\d/.test(status)) return undefined;
    return { name: "kamailio answers SIP OPTIONS", ok: /^SIP\/2\.0 [2-6]\d\d /.test(status), detail: status };
  }, "kamailio answers SIP OPTIONS");
}

// Sends bencoded `ping` to rtpengine's ng port; ok on `pong`.
export function probeRtpenginePing(host: string, port: number, timeoutMs: number): Promise<SmokeCheck> {
  const cookie = makeToken();
  return udpExchange(host, port, () => `${cookie} d7:command4:pinge`, timeoutMs, (reply) => {
    if (!reply.startsWith(`${cookie} `)) return undefined;
    const body = reply.slice(cookie.length + 1);
    return { name: "rtpengine answers ng ping", ok: body === "d6:result4:ponge", detail: body };
  }, "rtpengine answers ng ping");
}

// Opens `url` (ws:// or wss://, any certificate) with the `sip` subprotocol, sends REGISTER, waits for a final response.
export function probeWebSocketRegister(url: string, domain: string, timeoutMs: number): Promise<SmokeCheck> {
  const name = "kamailio relays a WebSocket REGISTER";
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

function udpExchange(host: string, port: number, render: (local: string) => string, timeoutMs: number, judge: (reply: string) => SmokeCheck | undefined, name: string): Promise<SmokeCheck> {
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
    socket.bind(0, "127.0.0.1", () => {
      const local = `127.0.0.1:${socket.address().port}`;
      socket.send(render(local), port, host);
    });
  });
}
