// Strict readers for the SIP header values the service acts on: name-addr (From, To, Contact, Route), Via, CSeq.

/** A URI in angle brackets or bare, with the header parameters after it (`tag`, `lr`, …). */
export interface NameAddr {
  uri: string;
  params: Map<string, string>;
}

/** The top Via: transport, sent-by and its parameters (`branch`, `rport`, …). */
export interface Via {
  transport: string;
  sentBy: string;
  params: Map<string, string>;
}

const uriPattern = /^(?:sips?:[^\s<>"]+|tel:[^\s<>"]+)$/i;
const paramNamePattern = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const paramValuePattern = /^(?:[A-Za-z0-9\-.!%*_+`'~:[\]]+|"[^"\\]*")$/;
const maxUriLength = 512;

// Splits a header value at top-level commas (outside quotes and angle brackets), for Via, Route and Record-Route.
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === "<") angle = true;
    else if (!quoted && c === ">") angle = false;
    else if (!quoted && !angle && c === ",") {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts;
}

// Parses `"Name" <uri>;p=v` or `uri;p=v`; undefined when it is not well formed.
export function parseNameAddr(value: string): NameAddr | undefined {
  let rest = value.trim();
  let uri: string;
  if (rest.startsWith('"')) {
    const close = findClosingQuote(rest);
    if (close < 0) return undefined;
    rest = rest.slice(close + 1).trimStart();
    if (!rest.startsWith("<")) return undefined;
  }
  const open = rest.indexOf("<");
  if (open >= 0) {
    if (open > 0 && !/^[A-Za-z0-9\-.!%*_+`'~ \t]+$/.test(rest.slice(0, open))) return undefined;
    const close = rest.indexOf(">", open);
    if (close < 0) return undefined;
    uri = rest.slice(open + 1, close);
    rest = rest.slice(close + 1);
  } else {
    const semicolon = rest.indexOf(";");
    uri = semicolon < 0 ? rest : rest.slice(0, semicolon);
    rest = semicolon < 0 ? "" : rest.slice(semicolon);
  }
  if (!isSipUri(uri)) return undefined;
  const params = parseParams(rest);
  return params ? { uri, params } : undefined;
}

// Parses `SIP/2.0/UDP host:port;branch=…`; undefined when it is not well formed.
export function parseVia(value: string): Via | undefined {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([A-Za-z0-9.\-:[\]]+)\s*((?:;.*)?)$/.exec(value.trim());
  if (!match) return undefined;
  const params = parseParams(match[3]!);
  return params ? { transport: match[1]!.toUpperCase(), sentBy: match[2]!, params } : undefined;
}

// Parses `CSeq: 314159 INVITE`; undefined unless the number fits 31 bits and the method is a token.
export function parseCSeq(value: string): { number: number; method: string } | undefined {
  const match = /^([0-9]{1,10})\s+([A-Za-z]+)$/.exec(value.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  return number < 2 ** 31 ? { number, method: match[2]! } : undefined;
}

// True for a sip:, sips: or tel: URI without spaces, quotes or brackets, of reasonable length.
export function isSipUri(uri: string): boolean {
  return uri.length <= maxUriLength && uriPattern.test(uri);
}

// The user part of a SIP URI (`sip:user@host` → `user`), or undefined without one.
export function uriUser(uri: string): string | undefined {
  const match = /^sips?:([^@;?]+)@/i.exec(uri);
  return match ? match[1] : undefined;
}

// host:port of a SIP URI, for sending a request to it (default port 5060).
export function uriHostPort(uri: string): { host: string; port: number } | undefined {
  const match = /^sips?:(?:[^@]+@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?(?:[;?].*)?$/i.exec(uri);
  if (!match) return undefined;
  const port = match[2] === undefined ? 5060 : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

function parseParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  const trimmed = text.trim();
  if (trimmed === "") return params;
  if (!trimmed.startsWith(";")) return undefined;
  for (const part of trimmed.slice(1).split(";")) {
    const equals = part.indexOf("=");
    const name = (equals < 0 ? part : part.slice(0, equals)).trim();
    const value = equals < 0 ? "" : part.slice(equals + 1).trim();
    if (!paramNamePattern.test(name) || (equals >= 0 && !paramValuePattern.test(value))) return undefined;
    params.set(name.toLowerCase(), value);
  }
  return params;
}

function findClosingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
