// A small SIP/RTP test phone over real UDP on loopback: calls the media service, sends a tone, records what it hears.
import { createSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { decodeG711, encodeG711, type G711Codec } from "../../gateway/media/audio/g711.ts";
import { parseRtpPacket, createRtpSender, writeRtpPacket } from "../../gateway/media/audio/rtp.ts";
import { startFrameClock, type FrameClock } from "../../gateway/media/audio/frame-clock.ts";
import { writeToneFrame } from "./media-audio.ts";

/** A SIP message as the phone sees it. */
export interface Received {
  text: string;
  firstLine: string;
  status: number | undefined;
  header(name: string): string | undefined;
  body: string;
}

const token = () => randomBytes(8).toString("hex");

// Binds a phone's SIP and RTP sockets on loopback.
export async function createPhone(servicePort: number, codec: G711Codec = "PCMU"): Promise<Phone> {
  const sip = await bindUdp();
  const rtp = await bindUdp();
  return new Phone(servicePort, sip, rtp, codec);
}

/** One test phone with at most one call. */
export class Phone {
  readonly messages: Received[] = [];
  readonly heard: number[] = [];
  packets: Array<{ at: number; sequence: number; timestamp: number; payloadType: number }> = [];
  callId = `${token()}@test`;
  fromTag = token();
  toTag: string | undefined;
  cseq = 1;
  remoteRtp: { address: string; port: number } | undefined;
  #sender = createRtpSender();
  #clock: FrameClock | undefined;
  #waiters: Array<() => void> = [];

  constructor(
    readonly servicePort: number,
    readonly sip: Socket,
    readonly rtp: Socket,
    readonly codec: G711Codec,
  ) {
    sip.on("message", (data) => {
      const message = parseReceived(data.toString("utf8"));
      this.messages.push(message);
      if (message.firstLine.startsWith("BYE ")) this.sendRaw(okFor(message));
      this.#wake();
    });
    rtp.on("message", (data) => {
      const packet = parseRtpPacket(data);
      if (!packet) return;
      this.packets.push({ at: performance.now(), sequence: packet.sequence, timestamp: packet.timestamp, payloadType: packet.payloadType });
      const samples = new Int16Array(packet.payload.length);
      decodeG711(packet.payloadType === 8 ? "PCMA" : "PCMU", packet.payload, samples);
      for (const s of samples) this.heard.push(s);
      this.#wake();
    });
  }

  get sipPort(): number {
    return this.sip.address().port;
  }

  get rtpPort(): number {
    return this.rtp.address().port;
  }

  // An SDP offer for this phone's RTP socket.
  offer(direction = "sendrecv", formats = this.codec === "PCMU" ? "0" : "8"): string {
    const maps = formats.split(" ").map((pt) => (pt === "0" ? "a=rtpmap:0 PCMU/8000" : pt === "8" ? "a=rtpmap:8 PCMA/8000" : `a=rtpmap:${pt} opus/48000/2`));
    return [
      "v=0",
      `o=test 1 ${this.cseq} IN IP4 127.0.0.1`,
      "s=-",
      "c=IN IP4 127.0.0.1",
      "t=0 0",
      `m=audio ${this.rtpPort} RTP/AVP ${formats}`,
      ...maps,
      `a=${direction}`,
      "",
    ].join("\r\n");
  }

  // Sends a request in this phone's call (INVITE, ACK, BYE, CANCEL, OPTIONS) and returns its branch.
  request(method: string, user: string, options: { body?: string; branch?: string; cseq?: number; extra?: string[] } = {}): string {
    const branch = options.branch ?? `z9hG4bK${token()}`;
    const cseq = options.cseq ?? (method === "ACK" || method === "CANCEL" ? this.cseq : ++this.cseq);
    const to = `<sip:${user}@127.0.0.1:${this.servicePort}>${this.toTag && method !== "CANCEL" ? `;tag=${this.toTag}` : ""}`;
    const lines = [
      `${method} sip:${user}@127.0.0.1:${this.servicePort} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.sipPort};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: "Test" <sip:test@127.0.0.1:${this.sipPort}>;tag=${this.fromTag}`,
      `To: ${to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:test@127.0.0.1:${this.sipPort}>`,
      ...(options.extra ?? []),
    ];
    if (options.body) lines.push("Content-Type: application/sdp");
    lines.push(`Content-Length: ${Buffer.byteLength(options.body ?? "")}`);
    this.sendRaw(`${lines.join("\r\n")}\r\n\r\n${options.body ?? ""}`);
    return branch;
  }

  // Sends an out-of-dialog OPTIONS, retransmitted every 500 ms like a real UAC (RFC 3261 Timer E) until answered.
  async probe(): Promise<Received> {
    const from = this.messages.length;
    const cseq = ++this.cseq;
    const branch = this.request("OPTIONS", "rtcgw", { cseq });
    const timer = setInterval(() => this.request("OPTIONS", "rtcgw", { cseq, branch }), 500);
    try {
      return await this.waitForResponse("OPTIONS", () => true, from);
    } finally {
      clearInterval(timer);
    }
  }

  // Calls `user` and waits for the final response; on 200 it ACKs and learns where to send RTP.
  async call(user: string, options: { body?: string | null; ack?: boolean } = {}): Promise<Received> {
    const body = options.body === null ? undefined : (options.body ?? this.offer());
    this.request("INVITE", user, { body, cseq: this.cseq });
    const final = await this.waitForResponse("INVITE", (status) => status >= 200);
    if (final.status === 200) {
      this.toTag = /;tag=([^;\s]+)/.exec(final.header("to") ?? "")?.[1];
      const sdp = final.body;
      const port = Number(/m=audio ([0-9]+)/.exec(sdp)?.[1]);
      const address = /c=IN IP4 ([0-9.]+)/.exec(sdp)?.[1] ?? "127.0.0.1";
      this.remoteRtp = { address, port };
      if (options.ack !== false) this.request("ACK", user, { cseq: this.cseq });
    } else if (final.status !== undefined && final.status >= 300) {
      this.request("ACK", user, { cseq: this.cseq, branch: /branch=([^;\s]+)/.exec(final.header("via") ?? "")?.[1] });
    }
    return final;
  }

  // Waits for a response to `method` whose status passes `accept`.
  async waitForResponse(method: string, accept: (status: number) => boolean, from = 0): Promise<Received> {
    return this.waitFor(() =>
      this.messages.slice(from).find((m) => m.status !== undefined && accept(m.status) && m.header("cseq")?.endsWith(` ${method}`) === true),
    );
  }

  // Waits until `find` returns something (re-checked on every datagram; fails after 10 s).
  async waitFor<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting; last messages:\n${this.messages
            .slice(-3)
            .map((m) => m.text)
            .join("\n---\n")}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  // Waits until `count` more samples (160 per packet) have been heard and returns them.
  async listen(count: number): Promise<Int16Array> {
    const start = this.heard.length;
    await this.waitFor(() => this.heard.length >= start + count);
    return Int16Array.from(this.heard.slice(start, start + count));
  }

  // Starts sending a 20 ms RTP frame of a tone (0 Hz = silence) to the service.
  startSending(frequency: number): void {
    let phase = 0;
    const samples = new Int16Array(160);
    const payload = new Uint8Array(160);
    this.stopSending();
    // Paced by the service's own drift-free clock: a drifting setInterval would underrun the jitter buffer.
    this.#clock = startFrameClock(() => {
      if (!this.remoteRtp) return;
      if (frequency > 0) phase = writeToneFrame(samples, frequency, phase);
      else samples.fill(0);
      encodeG711(this.codec, samples, payload);
      const packet = Buffer.alloc(172);
      writeRtpPacket(this.#sender, this.codec === "PCMU" ? 0 : 8, payload, packet);
      this.rtp.send(packet, this.remoteRtp.port, this.remoteRtp.address);
    });
  }

  stopSending(): void {
    this.#clock?.stop();
    this.#clock = undefined;
  }

  sendRaw(data: string | Uint8Array): void {
    this.sip.send(data, this.servicePort, "127.0.0.1");
  }

  close(): void {
    this.stopSending();
    this.sip.close();
    this.rtp.close();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

function parseReceived(text: string): Received {
  const [head = "", body = ""] = text.split("\r\n\r\n", 2);
  const lines = head.split("\r\n");
  const firstLine = lines[0] ?? "";
  const status = /^SIP\/2\.0 ([0-9]{3})/.exec(firstLine)?.[1];
  return {
    text,
    firstLine,
    status: status === undefined ? undefined : Number(status),
    header: (name) =>
      lines
        .slice(1)
        .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        ?.replace(/^[^:]+:\s*/, ""),
    body,
  };
}

function okFor(request: Received): string {
  const copied = request.text.split("\r\n").filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
  return `SIP/2.0 200 OK\r\n${copied.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`;
}

function bindUdp(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve(socket)));
}
