// Strict SDP (RFC 4566) reader: line grammar, limits, IPv4 connection addresses, one entry per media section.

/** Limits an SDP body must respect. */
export const sdpLimits = { maxLines: 200, maxMedia: 8, maxFormats: 32, maxLineLength: 512 };

/** One m= section. */
export interface SdpMedia {
  media: string;
  port: number;
  proto: string;
  formats: string[];
  /** `a=` values in order, without the `a=`. */
  attributes: string[];
  /** Media-level c= address, when present. */
  address: string | undefined;
}

/** A parsed session description. */
export interface SessionDescription {
  sessionAddress: string | undefined;
  sessionAttributes: string[];
  media: SdpMedia[];
}

const ipv4Pattern = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;
const linePattern = /^([a-z])=([^\x00-\x08\x0a-\x1f\x7f]*)$/;
const mediaPattern = /^([a-z]+) ([0-9]{1,5}) ([A-Za-z0-9/]+)((?: [A-Za-z0-9\-.]+)+)$/;

// Parses an SDP body; a string tells why it was refused. Accepts CRLF or bare LF line ends (RFC 4566 5).
export function parseSdp(text: string): SessionDescription | string {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length > sdpLimits.maxLines) return "too many lines";
  if (lines[0] !== "v=0") return "first line is not v=0";
  const description: SessionDescription = { sessionAddress: undefined, sessionAttributes: [], media: [] };
  let seenOrigin = false;
  for (const line of lines.slice(1)) {
    if (line.length > sdpLimits.maxLineLength) return "line too long";
    const match = linePattern.exec(line);
    if (!match) return `bad line ${JSON.stringify(line.slice(0, 40))}`;
    const type = match[1]!;
    const value = match[2]!;
    const current = description.media[description.media.length - 1];
    if (type === "o") {
      if (seenOrigin || current) return "misplaced o= line";
      if (value.split(" ").length !== 6) return "bad o= line";
      seenOrigin = true;
    } else if (type === "m") {
      const media = readMedia(value);
      if (typeof media === "string") return media;
      description.media.push(media);
      if (description.media.length > sdpLimits.maxMedia) return "too many media sections";
    } else if (type === "c") {
      const address = readConnection(value);
      if (address === undefined) return "bad c= line (expected IN IP4 and an address)";
      if (current) current.address = address;
      else description.sessionAddress = address;
    } else if (type === "a") {
      (current ? current.attributes : description.sessionAttributes).push(value);
    }
  }
  if (!seenOrigin) return "missing o= line";
  for (const media of description.media) {
    if (media.port !== 0 && (media.address ?? description.sessionAddress) === undefined) return "media section without a connection address";
  }
  return description;
}

function readMedia(value: string): SdpMedia | string {
  const match = mediaPattern.exec(value);
  if (!match) return "bad m= line";
  const port = Number(match[2]);
  if (port > 65535) return "bad m= port";
  const formats = match[4]!.trim().split(" ");
  if (formats.length > sdpLimits.maxFormats) return "too many formats";
  return { media: match[1]!, port, proto: match[3]!, formats, attributes: [], address: undefined };
}

function readConnection(value: string): string | undefined {
  const match = /^IN IP4 ([0-9.]+)(?:\/[0-9]{1,3})?$/.exec(value);
  return match && ipv4Pattern.test(match[1]!) ? match[1] : undefined;
}
