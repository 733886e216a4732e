// Pure: the SIP requests the smoke test sends and the responses the PBX stand-in returns.
import { randomBytes } from "node:crypto";

/** A parsed SIP message: the first line and the headers (names lower-cased, repeated headers joined in order). */
export interface SipMessage {
  startLine: string;
  headers: Map<string, string[]>;
}

// A random token for branches, tags and Call-IDs.
export function makeToken(): string {
  return randomBytes(8).toString("hex");
}

// An OPTIONS request over UDP (or TCP) from `from` (host:port) to `target` (host:port).
export function renderOptions(target: string, from: string, transport: "udp" | "tcp" = "udp"): string {
  const tag = makeToken();
  return [
    `OPTIONS sip:${target}${transport === "tcp" ? ";transport=tcp" : ""} SIP/2.0`,
    `Via: SIP/2.0/${transport.toUpperCase()} ${from};branch=z9hG4bK${makeToken()};rport`,
    "Max-Forwards: 70",
    `From: <sip:smoke@${from}>;tag=${tag}`,
    `To: <sip:${target}>`,
    `Call-ID: ${makeToken()}@rtcgw-smoke`,
    "CSeq: 1 OPTIONS",
    "User-Agent: rtcgw-smoke",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

// A REGISTER as a browser (JsSIP-like) sends it over a WebSocket.
export function renderWebSocketRegister(domain: string, user: string): string {
  const host = `${makeToken()}.invalid`;
  return [
    `REGISTER sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/WSS ${host};branch=z9hG4bK${makeToken()}`,
    "Max-Forwards: 69",
    `To: <sip:${user}@${domain}>`,
    `From: <sip:${user}@${domain}>;tag=${makeToken()}`,
    `Call-ID: ${makeToken()}`,
    "CSeq: 1 REGISTER",
    `Contact: <sip:${user}@${host};transport=ws>;+sip.ice;expires=600`,
    "Expires: 600",
    "Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY",
    "Supported: path,gruu,outbound",
    "User-Agent: rtcgw-smoke",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

// Parses the start line and headers of one SIP message.
export function parseSipMessage(text: string): SipMessage {
  const [head = ""] = text.split("\r\n\r\n");
  const [startLine = "", ...lines] = head.split("\r\n");
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = expandCompactHeader(line.slice(0, colon).trim().toLowerCase());
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return { startLine, headers };
}

/** What a 200 OK to an INVITE adds: the answerer's own Contact (the dialog's remote target) and an SDP answer. */
export interface SdpAnswer {
  contact: string;
  sdp: string;
}

// The 200 OK a registrar returns for `request` (Via, From, To with a tag, Call-ID, CSeq, Contact echoed), or with
// `answer` the 200 OK a phone answers an INVITE with (Record-Route copied so that ACK and BYE take the proxies'
// path, its own Contact, the SDP). `toTag` keeps the tag of an answer sent before (a retransmitted INVITE).
export function renderOkResponse(request: SipMessage, answer?: SdpAnswer, toTag = makeToken()): string {
  const h = (name: string) => request.headers.get(name) ?? [];
  const to = h("to")[0] ?? "";
  const body = answer?.sdp ?? "";
  return [
    "SIP/2.0 200 OK",
    ...h("via").map((v) => `Via: ${v}`),
    ...(answer ? h("record-route").map((r) => `Record-Route: ${r}`) : []),
    `From: ${h("from")[0] ?? ""}`,
    `To: ${to.includes(";tag=") ? to : `${to};tag=${toTag}`}`,
    `Call-ID: ${h("call-id")[0] ?? ""}`,
    `CSeq: ${h("cseq")[0] ?? ""}`,
    ...(answer ? [`Contact: ${answer.contact}`, "Content-Type: application/sdp"] : h("contact").map((c) => `Contact: ${c}`)),
    "Server: rtcgw-smoke-pbx",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

// An SDP answer for a phone at `address` that takes PCMU on `port` (the offer must carry PCMU: every SIP side of the gateway does).
export function renderPcmuAnswer(address: string, port: number): string {
  return [
    "v=0",
    `o=rtcgw-pbx 1 1 IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    `m=audio ${port} RTP/AVP 0`,
    "a=rtpmap:0 PCMU/8000",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

function expandCompactHeader(name: string): string {
  const compact: Record<string, string> = { v: "via", f: "from", t: "to", i: "call-id", m: "contact", l: "content-length", c: "content-type" };
  return compact[name] ?? name;
}
