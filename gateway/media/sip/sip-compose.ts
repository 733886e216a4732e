// Writes SIP responses and the service's own in-dialog requests (BYE) as text.
import type { SipHeader } from "./sip-parse.ts";

/** What a response is built from: the request's headers and the pieces the service adds. */
export interface ResponseSpec {
  status: number;
  reason: string;
  request: { headers: SipHeader[] };
  /** Added to To when the request's To has none (every response but 100). */
  toTag?: string;
  /** Extra headers, already formatted (`Contact: <…>`). */
  extra?: string[];
  body?: { type: string; content: string };
}

/** An in-dialog request the service sends (BYE after an RTP timeout or an unacknowledged 200). */
export interface RequestSpec {
  method: string;
  uri: string;
  via: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  routes: string[];
  extra?: string[];
}

const canonicalNames: Record<string, string> = { via: "Via", from: "From", to: "To", "call-id": "Call-ID", cseq: "CSeq", "record-route": "Record-Route" };

// A response that copies Via, From, To, Call-ID and CSeq (and Record-Route for 1xx/2xx) from the request.
export function composeResponse(spec: ResponseSpec): string {
  const lines = [`SIP/2.0 ${spec.status} ${spec.reason}`];
  const copied = ["via", "record-route", "from", "to", "call-id", "cseq"];
  for (const header of spec.request.headers) {
    if (!copied.includes(header.name)) continue;
    if (header.name === "record-route" && spec.status >= 300) continue;
    let value = header.value;
    if (header.name === "to" && spec.toTag && !/;\s*tag=/i.test(value)) value = `${value};tag=${spec.toTag}`;
    lines.push(`${canonicalNames[header.name]}: ${value}`);
  }
  lines.push(...(spec.extra ?? []));
  return finish(lines, spec.body);
}

// A request inside an established dialog, routed by its route set.
export function composeRequest(spec: RequestSpec): string {
  const lines = [
    `${spec.method} ${spec.uri} SIP/2.0`,
    `Via: ${spec.via}`,
    "Max-Forwards: 70",
    ...spec.routes.map((route) => `Route: ${route}`),
    `From: ${spec.from}`,
    `To: ${spec.to}`,
    `Call-ID: ${spec.callId}`,
    `CSeq: ${spec.cseq} ${spec.method}`,
    ...(spec.extra ?? []),
  ];
  return finish(lines, undefined);
}

// A random token for tags and branches (hex; the branch gets the RFC 3261 magic cookie from the caller).
export function createToken(random: () => number = Math.random): string {
  let token = "";
  for (let i = 0; i < 4; i++)
    token += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return token;
}

function finish(lines: string[], body: ResponseSpec["body"]): string {
  if (body) lines.push(`Content-Type: ${body.type}`);
  lines.push(`Content-Length: ${body ? Buffer.byteLength(body.content) : 0}`);
  return `${lines.join("\r\n")}\r\n\r\n${body ? body.content : ""}`;
}
