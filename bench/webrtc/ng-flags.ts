// Kamailio's rtpengine module turns a flag string such as "trust-address ICE=force RTP/AVP codec-mask-opus"
// into an ng dictionary; this does the same, so a benchmark drives rtpengine with the compiled flags.
import type { BencodeValue } from "../../gateway/agent/control/bencode.ts";

const transportProtocols = new Set(["RTP/AVP", "RTP/SAVP", "RTP/AVPF", "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF"]);
const listPrefixes: Record<string, string> = { "replace-": "replace", "rtcp-mux-": "rtcp-mux", "SDES-": "SDES" };
const codecPrefixes: Record<string, string> = { "codec-mask-": "mask", "codec-transcode-": "transcode", "codec-strip-": "strip", "codec-offer-": "offer" };

// Translates a space-separated rtpengine flag string (as in kamailio.cfg) into ng dictionary entries.
export function translateNgFlags(flags: string): Record<string, BencodeValue> {
  const out: Record<string, BencodeValue> = {};
  const list = (key: string) => (out[key] ??= []) as BencodeValue[];
  for (const token of flags.split(/\s+/).filter(Boolean)) {
    const equals = token.indexOf("=");
    if (equals > 0) {
      out[token.slice(0, equals)] = token.slice(equals + 1);
      continue;
    }
    if (transportProtocols.has(token)) {
      out["transport-protocol"] = token;
      continue;
    }
    const listPrefix = Object.keys(listPrefixes).find((p) => token.startsWith(p));
    if (listPrefix) {
      list(listPrefixes[listPrefix]!).push(token.slice(listPrefix.length));
      continue;
    }
    const codecPrefix = Object.keys(codecPrefixes).find((p) => token.startsWith(p));
    if (codecPrefix) {
      const codec = (out.codec ??= {}) as Record<string, BencodeValue>;
      ((codec[codecPrefixes[codecPrefix]!] ??= []) as BencodeValue[]).push(token.slice(codecPrefix.length));
      continue;
    }
    list("flags").push(token);
  }
  return out;
}
