// A browser's SIP side, as a web phone sends it: SIP over WebSocket (RFC 7118), one connection per call,
// REGISTER first (as JsSIP does; the gateway counts calls of unregistered connections against a small
// anonymous share, 4 per address), INVITE with the WebRTC offer, ACK along the Record-Route set, BYE at the end.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { findHeader, findHeaderList, parseSipMessage, type SipResponse } from "../../gateway/media/sip/sip-parse.ts";

/** An established call: the gateway's SDP answer and how to end it. */
export interface WsCall {
  answer: string;
  hangup(): Promise<void>;
}

const token = () => randomBytes(6).toString("hex");

// Calls `target` (a SIP URI in the gateway's domain) over `url` with `offer`; rejects on a non-2xx or after `timeoutMs`.
export async function callOverWebSocket(url: string, target: string, offer: string, timeoutMs = 10_000): Promise<WsCall> {
  const ws = new WebSocket(url, "sip");
  const responses: SipResponse[] = [];
  let waiter: (() => void) | undefined;
  ws.on("message", (data) => {
    const parsed = parseSipMessage(Buffer.from(data as Buffer));
    if (parsed.ok === true && parsed.message.kind === "response") {
      responses.push(parsed.message);
      waiter?.();
    }
  });
  const nextFinal = (method: string) =>
    new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no final response to ${method} within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const at = responses.findIndex((r) => r.cseq.method === method && r.status >= 200);
        if (at < 0) return;
        clearTimeout(timer);
        waiter = undefined;
        resolve(responses.splice(at, 1)[0]!);
      };
      waiter = check;
      check();
    });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const host = `${token()}.invalid`;
  const fromTag = token();
  const callId = `${token()}@bench`;
  const local = `sip:bench@${host};transport=ws`;
  // The browser's address of record, in the callee's domain (the gateway's): From, and what it registers.
  const domain = new URL(target.replace(/^sip:/, "sip://")).hostname;
  const aor = `sip:bench@${domain}`;
  const request = (method: string, uri: string, cseq: number, lines: string[], body = "") =>
    [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/WS ${host};branch=z9hG4bK${token()}`,
      "Max-Forwards: 70",
      `From: <${aor}>;tag=${fromTag}`,
      ...lines,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <${local}>`,
      ...(body ? ["Content-Type: application/sdp"] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");
  try {
    ws.send(request("REGISTER", `sip:${domain}`, 1, [`To: <${aor}>`, "Expires: 600"]));
    const registered = await nextFinal("REGISTER");
    if (registered.status >= 300) throw new Error(`REGISTER ${aor}: ${registered.status} ${registered.reason}`);
    ws.send(request("INVITE", target, 2, [`To: <${target}>`], offer));
    const final = await nextFinal("INVITE");
    if (final.status >= 300) throw new Error(`INVITE ${target}: ${final.status} ${final.reason}`);
    const to = `To: ${findHeader(final.headers, "to")}`;
    const routes = findHeaderList(final.headers, "record-route")
      .reverse()
      .map((r) => `Route: ${r}`);
    const remote = findHeader(final.headers, "contact")?.replace(/^.*<([^>]+)>.*$/, "$1") ?? target;
    ws.send(request("ACK", remote, 2, [to, ...routes]));
    return {
      answer: final.body,
      hangup: async () => {
        ws.send(request("BYE", remote, 3, [to, ...routes]));
        try {
          const bye = await nextFinal("BYE");
          if (bye.status >= 300) throw new Error(`BYE: ${bye.status} ${bye.reason}`);
        } finally {
          ws.close();
        }
      },
    };
  } catch (error) {
    ws.close();
    throw error;
  }
}
