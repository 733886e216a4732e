import { createSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";

/** A UDP SIP client bound to one loopback source address (127.0.0.x stands in for a host on the internet). */
export interface SipUdpClient {
  address: string;
  port: number;
  /** Sends raw bytes and resolves with the first reply within `timeoutMs` (first line and full text), or undefined. */
  request(message: string | Buffer, timeoutMs?: number): Promise<string | undefined>;
  /** Sends raw bytes without waiting. */
  send(message: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

// Opens a UDP socket on `address` (any free port) talking to `target`:`targetPort`.
export function openSipUdpClient(address: string, target: string, targetPort: number): Promise<SipUdpClient> {
  const socket: Socket = createSocket("udp4");
  const waiting: ((reply: string) => void)[] = [];
  socket.on("message", (data) => waiting.shift()?.(data.toString("latin1")));
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, address, () => {
      const port = socket.address().port;
      const send = (message: string | Buffer) =>
        new Promise<void>((done, fail) => socket.send(message, targetPort, target, (error) => (error ? fail(error) : done())));
      resolve({
        address,
        port,
        send,
        request: async (message, timeoutMs = 1000) => {
          const reply = new Promise<string | undefined>((done) => {
            const handler = (text: string) => {
              clearTimeout(timer);
              done(text);
            };
            const timer = setTimeout(() => {
              waiting.splice(waiting.indexOf(handler), 1);
              done(undefined);
            }, timeoutMs);
            waiting.push(handler);
          });
          await send(message);
          return reply;
        },
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}

/** Fields of a request built by `buildSipRequest`. */
export interface SipRequestFields {
  method: string;
  uri: string;
  from: { address: string; port: number };
  userAgent?: string;
  headers?: string[];
  body?: string;
  /** Via transport (UDP unless given: TCP, WS). */
  transport?: string;
  /** A To-tag, as an in-dialog request carries. */
  toTag?: string;
}

// Builds a well-formed SIP request over UDP (fresh branch, tag and Call-ID each time).
export function buildSipRequest(fields: SipRequestFields): string {
  const id = randomBytes(6).toString("hex");
  const body = fields.body ?? "";
  return [
    `${fields.method} ${fields.uri} SIP/2.0`,
    `Via: SIP/2.0/${fields.transport ?? "UDP"} ${fields.from.address}:${fields.from.port};branch=z9hG4bK${id};rport`,
    "Max-Forwards: 70",
    `From: <sip:tester@${fields.from.address}>;tag=${id}`,
    `To: <${fields.uri}>${fields.toTag ? `;tag=${fields.toTag}` : ""}`,
    `Call-ID: ${id}@${fields.from.address}`,
    `CSeq: 1 ${fields.method}`,
    `Contact: <sip:tester@${fields.from.address}:${fields.from.port}>`,
    ...(fields.userAgent ? [`User-Agent: ${fields.userAgent}`] : []),
    ...(fields.headers ?? []),
    ...(body ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

/** The status code of a SIP reply, or undefined for no reply. */
export function statusOf(reply: string | undefined): number | undefined {
  const match = reply && /^SIP\/2\.0 (\d{3})/.exec(reply);
  return match ? Number(match[1]) : undefined;
}
