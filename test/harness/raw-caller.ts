// A caller that speaks raw SIP over its own stream connection (an attacker's script, not a browser): INVITE
// with a plain RTP offer, ACK on the 200 through the gateway's Record-Route, then nothing — no media.
import { randomBytes } from "node:crypto";
import type { SipStreamClient } from "./sip-stream.ts";

/** What a raw call got: the final status and, when answered, its dialog. */
export interface RawCall {
  status: number | undefined;
  callId: string;
}

// Places one call to `uri` from `client` (transport `WS` or `TCP`) and ACKs a 2xx; resolves with the final status.
export async function placeRawCall(client: SipStreamClient, uri: string, transport: string, timeoutMs = 5000): Promise<RawCall> {
  const id = randomBytes(6).toString("hex");
  const callId = `${id}@raw.invalid`;
  const via = (branch: string) => `Via: SIP/2.0/${transport} ${client.address}:${client.port};branch=z9hG4bK${branch};rport`;
  const sdp = `v=0\r\no=- ${id.length} 1 IN IP4 ${client.address}\r\ns=-\r\nc=IN IP4 ${client.address}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
  const head = [
    `INVITE ${uri} SIP/2.0`,
    via(id),
    "Max-Forwards: 70",
    `From: <sip:anonymous@anonymous.invalid>;tag=${id}`,
    `To: <${uri}>`,
    `Call-ID: ${callId}`,
    "CSeq: 1 INVITE",
    `Contact: <sip:anonymous@${client.address}:${client.port};transport=${transport.toLowerCase()}>`,
    "User-Agent: Linphone/5.0",
    "Content-Type: application/sdp",
    `Content-Length: ${Buffer.byteLength(sdp)}`,
  ];
  client.send(`${head.join("\r\n")}\r\n\r\n${sdp}`);
  const final = await client.waitFor(new RegExp(`^SIP/2\\.0 [2-6]\\d\\d [^]*Call-ID: ${id}@raw\\.invalid`, "m"), timeoutMs);
  const status = final ? Number(/^SIP\/2\.0 (\d{3})/.exec(final)![1]) : undefined;
  if (final && status! >= 200 && status! < 300) {
    const toTag = /^To: .*;tag=([^;\s]+)/im.exec(final)![1]!;
    const routes = [...final.matchAll(/^Record-Route: (.*)$/gim)].flatMap((m) => m[1]!.split(/,\s*(?=<)/)).reverse();
    const contact = /^Contact: <([^>]+)>/im.exec(final)![1]!;
    const ack = [
      `ACK ${contact} SIP/2.0`,
      via(`${id}a`),
      "Max-Forwards: 70",
      `From: <sip:anonymous@anonymous.invalid>;tag=${id}`,
      `To: <${uri}>;tag=${toTag}`,
      `Call-ID: ${callId}`,
      "CSeq: 1 ACK",
      ...(routes.length ? [`Route: ${routes.join(", ")}`] : []),
      "Content-Length: 0",
    ];
    client.send(`${ack.join("\r\n")}\r\n\r\n`);
  }
  return { status, callId };
}
