// Offer/answer for one G.711 audio stream (RFC 3264): pick a codec and direction, write the answer or our own offer.
import type { G711Codec } from "../audio/g711.ts";
import { parseSdp, type SessionDescription } from "./sdp-parse.ts";

/** Media direction as written in SDP. */
export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

/** What negotiation settled for the one audio stream. */
export interface AudioChoice {
  /** Index of the chosen m= section; the others are rejected (port 0) in the answer. */
  index: number;
  codec: G711Codec;
  payloadType: number;
  /** telephone-event/8000 payload type when offered. */
  dtmfPayloadType: number | undefined;
  remote: { address: string; port: number };
  /** Our direction (the mirror of the offer's). */
  direction: Direction;
}

/** Our side of the stream, as the answer or offer announces it. */
export interface LocalMedia {
  address: string;
  port: number;
  sessionId: number;
  version: number;
  /** The SSRC we send with, when known. */
  ssrc?: number;
}

const staticCodecs: Record<string, G711Codec> = { "0": "PCMU", "8": "PCMA" };
const directions: Direction[] = ["sendrecv", "sendonly", "recvonly", "inactive"];
const mirrored: Record<Direction, Direction> = { sendrecv: "sendrecv", sendonly: "recvonly", recvonly: "sendonly", inactive: "inactive" };

// Chooses the first G.711 format of the first usable audio section; a string says why the offer cannot be served (488).
export function chooseAudio(sdpText: string): { offer: SessionDescription; choice: AudioChoice } | string {
  const offer = parseSdp(sdpText);
  if (typeof offer === "string") return `bad SDP: ${offer}`;
  for (const [index, media] of offer.media.entries()) {
    if (media.media !== "audio" || media.port === 0 || (media.proto !== "RTP/AVP" && media.proto !== "RTP/AVPF")) continue;
    const rtpmaps = readRtpmaps(media.attributes);
    const format = media.formats.find((pt) => codecOf(pt, rtpmaps) !== undefined);
    if (format === undefined) continue;
    const dtmf = media.formats.find((pt) => /^telephone-event\/8000$/i.test(rtpmaps.get(pt) ?? ""));
    const address = media.address ?? offer.sessionAddress!;
    const offered = findDirection(media.attributes) ?? findDirection(offer.sessionAttributes) ?? "sendrecv";
    // RFC 3264 8.4: c=0.0.0.0 is the old way to put a call on hold.
    const direction = address === "0.0.0.0" ? "inactive" : mirrored[offered];
    return {
      offer,
      choice: {
        index,
        codec: codecOf(format, rtpmaps)!,
        payloadType: Number(format),
        dtmfPayloadType: dtmf === undefined ? undefined : Number(dtmf),
        remote: { address, port: media.port },
        direction,
      },
    };
  }
  return "no RTP/AVP audio stream with PCMU or PCMA";
}

// The answer: the chosen section with one codec (plus telephone-event), every other section rejected.
export function writeAnswer(offer: SessionDescription, choice: AudioChoice, local: LocalMedia): string {
  const lines = [...sessionLines(local)];
  for (const [index, media] of offer.media.entries()) {
    if (index !== choice.index) {
      lines.push(`m=${media.media} 0 ${media.proto} ${media.formats[0]}`);
      continue;
    }
    lines.push(...audioLines(local, choice.codec, choice.payloadType, choice.dtmfPayloadType, choice.direction));
  }
  return `${lines.join("\r\n")}\r\n`;
}

// Our offer for an INVITE that came without one (the answer arrives in the ACK).
export function writeOffer(local: LocalMedia): string {
  const lines = [
    ...sessionLines(local),
    `m=audio ${local.port} RTP/AVP 0 8 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    "a=ptime:20",
    ...ssrcLines(local),
    "a=sendrecv",
  ];
  return `${lines.join("\r\n")}\r\n`;
}

function sessionLines(local: { address: string; sessionId: number; version: number }): string[] {
  return ["v=0", `o=rtcgw ${local.sessionId} ${local.version} IN IP4 ${local.address}`, "s=rtcgw", `c=IN IP4 ${local.address}`, "t=0 0"];
}

function audioLines(local: LocalMedia, codec: G711Codec, payloadType: number, dtmf: number | undefined, direction: Direction): string[] {
  const formats = dtmf === undefined ? `${payloadType}` : `${payloadType} ${dtmf}`;
  const lines = [`m=audio ${local.port} RTP/AVP ${formats}`, `a=rtpmap:${payloadType} ${codec}/8000`];
  if (dtmf !== undefined) lines.push(`a=rtpmap:${dtmf} telephone-event/8000`, `a=fmtp:${dtmf} 0-15`);
  lines.push("a=ptime:20", ...ssrcLines(local), `a=${direction}`);
  return lines;
}

// RFC 5576: announcing our SSRC lets receivers that demultiplex by SSRC (werift, some SFUs) accept the stream.
function ssrcLines(local: LocalMedia): string[] {
  return local.ssrc === undefined ? [] : [`a=ssrc:${local.ssrc} cname:rtcgw-media`];
}

function readRtpmaps(attributes: string[]): Map<string, string> {
  const maps = new Map<string, string>();
  for (const attribute of attributes) {
    const match = /^rtpmap:([0-9]{1,3}) ([^\s]+)$/.exec(attribute);
    if (match) maps.set(match[1]!, match[2]!);
  }
  return maps;
}

function codecOf(format: string, rtpmaps: Map<string, string>): G711Codec | undefined {
  if (!/^[0-9]{1,3}$/.test(format) || Number(format) > 127) return undefined;
  const mapped = rtpmaps.get(format);
  if (mapped === undefined) return staticCodecs[format];
  const match = /^(PCMU|PCMA)\/8000(?:\/1)?$/i.exec(mapped);
  return match ? (match[1]!.toUpperCase() as G711Codec) : undefined;
}

function findDirection(attributes: string[]): Direction | undefined {
  return directions.find((d) => attributes.includes(d));
}
