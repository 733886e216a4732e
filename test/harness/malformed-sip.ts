import { randomBytes } from "node:crypto";
import { buildSipRequest } from "./sip-udp.ts";

/** The kinds of broken messages `buildMalformedMessages` produces. */
export const malformedKinds = ["truncated", "oversized-header", "wrong-content-length", "binary-garbage", "torture"] as const;

// RFC 4475-style torture cases: each parses badly, contradicts itself or stretches a limit.
function tortureCases(uri: string, from: { address: string; port: number }): string[] {
  const valid = buildSipRequest({ method: "INVITE", uri, from, body: "v=0\r\n" });
  return [
    valid.replace(/^Call-ID: .*\r\n/m, ""),
    valid.replace(/^CSeq: 1 INVITE/m, "CSeq: 1 BYE"),
    valid.replace(/^CSeq: 1/m, "CSeq: 99999999999999999999"),
    valid.replace(/^Max-Forwards: 70/m, "Max-Forwards: 300000000000"),
    valid.replace(/^Content-Length: \d+/m, "Content-Length: -5"),
    valid.replace(/^Content-Length: (\d+)/m, "Content-Length: $1\r\nContent-Length: 9999"),
    valid.replace(/^Via: SIP\/2.0\/UDP ([^:]+):\d+/m, "Via: SIP/2.0/UDP $1:99999999"),
    valid.replace(/^Via: .*\r\n/m, ""),
    valid.replace(/^INVITE sip:/, "INVITE sip:%ZZ%"),
    valid.replace(/^INVITE (\S+) SIP\/2.0/, "INVITE $1 SIP/7.0"),
    valid.replace(/^INVITE (\S+)/, "INVITE  $1  "),
    valid.replace(/^To: <(.*)>/m, "To: <$1"),
    valid.replace(/^From: .*$/m, 'From: "unterminated <sip:x@y>;tag=1'),
    valid.replace(/\r\n/g, "\n"),
    valid.replace(/^INVITE/, "INV\u0000ITE"),
    `${"Via: SIP/2.0/UDP 1.2.3.4\r\n".repeat(500)}`,
    `OPTIONS ${uri} SIP/2.0\r\n\r\n`,
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
  ];
}

// Builds `count` malformed SIP messages toward `uri`, cycling through every kind (deterministic per index).
export function buildMalformedMessages(count: number, uri: string, from: { address: string; port: number }): Buffer[] {
  const torture = tortureCases(uri, from);
  const messages: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const valid = buildSipRequest({ method: i % 2 ? "INVITE" : "REGISTER", uri, from, body: i % 2 ? "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n" : "" });
    switch (malformedKinds[i % malformedKinds.length]) {
      case "truncated":
        messages.push(Buffer.from(valid.slice(0, 1 + ((i * 37) % (valid.length - 1)))));
        break;
      case "oversized-header":
        messages.push(Buffer.from(valid.replace("Max-Forwards: 70", `Max-Forwards: 70\r\nX-Filler: ${"a".repeat(20_000 + (i % 40_000))}`)));
        break;
      case "wrong-content-length":
        messages.push(Buffer.from(valid.replace(/^Content-Length: \d+/m, `Content-Length: ${(i * 7919) % 70_000}`)));
        break;
      case "binary-garbage":
        messages.push(randomBytes(1 + (i % 1400)));
        break;
      case "torture":
        messages.push(Buffer.from(torture[i % torture.length]!));
        break;
    }
  }
  return messages;
}
