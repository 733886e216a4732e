// Seeded mutations of valid SIP and SDP text, for fuzzing the parser and the running service reproducibly.

// A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed.
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nasty = [
  "\r\n",
  "\n",
  "\r",
  "\0",
  ":",
  ";",
  ",",
  "<",
  ">",
  '"',
  "\\",
  " ",
  "\t",
  "=",
  "%",
  "999999999999",
  "-1",
  "\u00ff",
  "\ud83d\ude00",
  "SIP/2.0",
  "tag=",
  "branch=",
  "0.0.0.0",
  "65536",
  "m=audio 0 RTP/AVP 0\r\n",
  "Content-Length: 99999\r\n",
];

// One mutation (or a few stacked) of `text`, returned as bytes (some mutations break UTF-8 on purpose).
export function mutate(text: string, random: () => number): Uint8Array {
  let bytes = Buffer.from(text, "utf8");
  const rounds = 1 + Math.floor(random() * 4);
  for (let round = 0; round < rounds; round++) {
    const at = Math.floor(random() * (bytes.length + 1));
    const kind = Math.floor(random() * 9);
    if (kind === 0 && bytes.length > 0) {
      bytes[Math.min(at, bytes.length - 1)] = Math.floor(random() * 256);
    } else if (kind === 1) {
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(nasty[Math.floor(random() * nasty.length)]!), bytes.subarray(at)]);
    } else if (kind === 2) {
      const length = Math.floor(random() * 40);
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + length))]);
    } else if (kind === 3) {
      bytes = bytes.subarray(0, at);
    } else if (kind === 4) {
      const length = Math.floor(random() * 200);
      const copy = bytes.subarray(at, at + length);
      const times = 1 + Math.floor(random() * 80);
      bytes = Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: times }, () => copy), bytes.subarray(at)]);
    } else if (kind === 5) {
      const noise = Buffer.alloc(Math.floor(random() * 64));
      for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
      bytes = Buffer.concat([bytes.subarray(0, at), noise, bytes.subarray(at)]);
    } else if (kind === 6) {
      const line = `X-Long: ${"a".repeat(Math.floor(random() * 5000))}\r\n`;
      const cut = text.indexOf("\r\n") + 2;
      bytes = Buffer.concat([bytes.subarray(0, cut), Buffer.from(line), bytes.subarray(cut)]);
    } else if (kind === 7) {
      bytes = Buffer.from(
        bytes.toString("latin1").replace(/[0-9]+/, () => String(Math.floor(random() * 1e12))),
        "latin1",
      );
    } else {
      const lines = bytes.toString("latin1").split("\r\n");
      const i = Math.floor(random() * lines.length);
      const j = Math.floor(random() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      bytes = Buffer.from(lines.join("\r\n"), "latin1");
    }
  }
  return bytes;
}

// A valid INVITE with an SDP offer, the base the mutations start from.
export function sampleInvite(port: number, user = "12345678"): string {
  const sdp = [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    "m=audio 40000 RTP/AVP 0 8 101",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=sendrecv",
    "",
  ].join("\r\n");
  return [
    `INVITE sip:${user}@127.0.0.1:${port} SIP/2.0`,
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK776asdhds;rport",
    "Max-Forwards: 70",
    `To: <sip:${user}@127.0.0.1>`,
    '"Alice" <sip:alice@127.0.0.1>;tag=1928301774'.replace(/^/, "From: "),
    "Call-ID: a84b4c76e66710@pc33.example",
    "CSeq: 314159 INVITE",
    "Contact: <sip:alice@127.0.0.1:5060>",
    "Record-Route: <sip:127.0.0.1:5060;lr>",
    "Content-Type: application/sdp",
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    "",
    sdp,
  ].join("\r\n");
}
