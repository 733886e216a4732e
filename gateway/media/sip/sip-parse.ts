// Strict SIP message parser (RFC 3261 over UDP): size, line and header-count limits; every field the service
// acts on is checked here, so the dialog logic only ever sees well-formed requests.
import { parseCSeq, parseNameAddr, parseVia, splitHeaderList, type NameAddr, type Via } from "./sip-headers.ts";

/** Limits a datagram must respect; beyond them it is dropped. */
export const sipLimits = { maxBytes: 8192, maxHeaders: 64, maxLineLength: 2048, maxVias: 16, maxRoutes: 16, maxBodyBytes: 4096 };

/** One header line, name lower-cased and in its long form. */
export interface SipHeader {
  name: string;
  value: string;
}

/** The fields every well-formed request or response carries. */
export interface SipCommon {
  headers: SipHeader[];
  body: string;
  callId: string;
  cseq: { number: number; method: string };
  from: NameAddr;
  to: NameAddr;
  vias: string[];
  topVia: Via;
}

/** A request that passed every check. */
export interface SipRequest extends SipCommon {
  kind: "request";
  method: string;
  uri: string;
  branch: string;
  contact: NameAddr | undefined;
  recordRoutes: string[];
  maxForwards: number | undefined;
}

/** A response that passed every check. */
export interface SipResponse extends SipCommon {
  kind: "response";
  status: number;
  reason: string;
}

/** Why a datagram was refused; `request` is set when enough of it parsed to send an error response (Via, From, To, Call-ID, CSeq present). */
export type SipParseFailure = { ok: false; reason: string; request?: Pick<SipRequest, "method" | "headers" | "vias"> & { cseq?: unknown } };

/** The outcome of parsing one datagram. */
export type SipParseResult = { ok: true; message: SipRequest | SipResponse } | SipParseFailure | { ok: "keepalive" };

const compactNames: Record<string, string> = {
  v: "via",
  f: "from",
  t: "to",
  i: "call-id",
  m: "contact",
  l: "content-length",
  c: "content-type",
  k: "supported",
  s: "subject",
  e: "content-encoding",
};
const tokenPattern = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const valuePattern = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;
const requestLinePattern = /^([A-Za-z0-9\-.!%*_+`'~]+) ([^\s]+) SIP\/2\.0$/;
const statusLinePattern = /^SIP\/2\.0 ([1-6][0-9]{2}) ([^\x00-\x1f\x7f]*)$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

// Parses one UDP datagram; never throws.
export function parseSipMessage(datagram: Uint8Array): SipParseResult {
  if (datagram.length > sipLimits.maxBytes) return { ok: false, reason: `message of ${datagram.length} bytes exceeds ${sipLimits.maxBytes}` };
  let text: string;
  try {
    text = utf8.decode(datagram);
  } catch {
    return { ok: false, reason: "message is not UTF-8" };
  }
  if (/^(?:\r\n)+$/.test(text)) return { ok: "keepalive" };
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) return { ok: false, reason: "no empty line after the headers" };
  const lines = text.slice(0, split).split("\r\n");
  const startLine = lines[0]!;
  const request = requestLinePattern.exec(startLine);
  const status = request ? null : statusLinePattern.exec(startLine);
  if (!request && !status) return { ok: false, reason: "bad start line" };
  const headers = readHeaders(lines.slice(1));
  if (typeof headers === "string") return { ok: false, reason: headers };
  const common = readCommon(headers, text.slice(split + 4));
  if (request) {
    const method = request[1]!;
    const uri = request[2]!;
    // Enough for a 400 when the raw Via list is there, even if another header is broken.
    const partial = { method, headers, vias: typeof common === "string" ? findHeaderList(headers, "via").slice(0, sipLimits.maxVias) : common.vias };
    if (typeof common === "string") {
      const answerable = ["via", "from", "to", "call-id", "cseq"].every((name) => findHeader(headers, name) !== undefined);
      return answerable ? { ok: false, reason: common, request: partial } : { ok: false, reason: common };
    }
    return readRequest(method, uri, common, partial);
  }
  if (typeof common === "string") return { ok: false, reason: common };
  return { ok: true, message: { kind: "response", status: Number(status![1]), reason: status![2]!, ...common } };
}

// The first value of a header (by long, lower-case name), or undefined.
export function findHeader(headers: SipHeader[], name: string): string | undefined {
  return headers.find((h) => h.name === name)?.value;
}

// Every value of a list header (Via, Route, Record-Route), in order, commas split.
export function findHeaderList(headers: SipHeader[], name: string): string[] {
  return headers.filter((h) => h.name === name).flatMap((h) => splitHeaderList(h.value));
}

function readHeaders(lines: string[]): SipHeader[] | string {
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (line.length > sipLimits.maxLineLength) return "header line too long";
    if (!valuePattern.test(line)) return "control character in a header";
    if (line.startsWith(" ") || line.startsWith("\t")) {
      const last = headers[headers.length - 1];
      if (!last) return "continuation line before any header";
      last.value = `${last.value} ${line.trim()}`;
      if (last.value.length > sipLimits.maxLineLength) return "header line too long";
      continue;
    }
    const colon = line.indexOf(":");
    const rawName = colon < 0 ? "" : line.slice(0, colon).trimEnd();
    if (!tokenPattern.test(rawName)) return "bad header name";
    const lower = rawName.toLowerCase();
    headers.push({ name: compactNames[lower] ?? lower, value: line.slice(colon + 1).trim() });
    if (headers.length > sipLimits.maxHeaders) return `more than ${sipLimits.maxHeaders} headers`;
  }
  return headers;
}

function readCommon(headers: SipHeader[], rawBody: string): SipCommon | string {
  const vias = findHeaderList(headers, "via");
  if (vias.length === 0) return "missing Via";
  if (vias.length > sipLimits.maxVias) return "too many Via headers";
  const topVia = parseVia(vias[0]!);
  if (!topVia) return "bad Via";
  for (const name of ["call-id", "cseq", "from", "to", "content-length", "max-forwards", "content-type"]) {
    if (headers.filter((h) => h.name === name).length > 1) return `more than one ${name} header`;
  }
  const callId = findHeader(headers, "call-id");
  if (!callId || !/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}@]{1,256}$/.test(callId)) return "missing or bad Call-ID";
  const cseq = parseCSeq(findHeader(headers, "cseq") ?? "");
  if (!cseq) return "missing or bad CSeq";
  const from = parseNameAddr(findHeader(headers, "from") ?? "");
  if (!from) return "missing or bad From";
  const to = parseNameAddr(findHeader(headers, "to") ?? "");
  if (!to) return "missing or bad To";
  const lengthText = findHeader(headers, "content-length");
  let body = rawBody;
  if (lengthText !== undefined) {
    if (!/^[0-9]{1,6}$/.test(lengthText)) return "bad Content-Length";
    const length = Number(lengthText);
    const bytes = Buffer.from(rawBody, "utf8");
    if (length > bytes.length) return "Content-Length larger than the body";
    body = bytes.subarray(0, length).toString("utf8");
  }
  if (Buffer.byteLength(body) > sipLimits.maxBodyBytes) return "body too large";
  return { headers, body, callId, cseq, from, to, vias, topVia };
}

function readRequest(method: string, uri: string, common: SipCommon, partial: NonNullable<SipParseFailure["request"]>): SipParseResult {
  const fail = (reason: string): SipParseFailure => ({ ok: false, reason, request: { ...partial, cseq: common.cseq } });
  if (!/^(?:sips?|tel):[^\s<>"]{1,510}$/i.test(uri)) return fail("bad Request-URI");
  if (common.cseq.method !== method) return fail("CSeq method differs from the request method");
  const branch = common.topVia.params.get("branch");
  if (!branch || !/^[A-Za-z0-9\-.!%*_+`'~]{1,128}$/.test(branch)) return fail("missing or bad Via branch");
  const contactText = findHeader(common.headers, "contact");
  const contact = contactText === undefined ? undefined : parseNameAddr(contactText);
  if (contactText !== undefined && !contact) return fail("bad Contact");
  const recordRoutes = findHeaderList(common.headers, "record-route");
  if (recordRoutes.length > sipLimits.maxRoutes) return fail("too many Record-Route entries");
  if (recordRoutes.some((route) => !parseNameAddr(route))) return fail("bad Record-Route");
  const maxForwardsText = findHeader(common.headers, "max-forwards");
  if (maxForwardsText !== undefined && !/^[0-9]{1,3}$/.test(maxForwardsText)) return fail("bad Max-Forwards");
  const maxForwards = maxForwardsText === undefined ? undefined : Number(maxForwardsText);
  return { ok: true, message: { kind: "request", method, uri, branch, contact, recordRoutes, maxForwards, ...common } };
}
