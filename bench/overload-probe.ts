// A recovery probe for the overload benchmark: from the PBX's address (never flood-banned), one new call
// attempt (INVITE to an unknown user: the gateway answers 404 when it admits it, 503 when it sheds it)
// every `intervalMs`; it remembers when each attempt was shed or unanswered, so the time the gateway needs
// to admit new calls again after a burst can be read off.
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

/** A running probe. */
export interface OverloadProbe {
  /** Attempts shed (503) or unanswered within 1 s, by the time they were sent (ms since the epoch). */
  refusedAt: number[];
  sent: number;
  stop(): Promise<void>;
}

// Starts probing `gateway` (`host:port`) from `address`.
export async function startOverloadProbe(address: string, gateway: string, intervalMs = 50): Promise<OverloadProbe> {
  const [host, port] = gateway.split(":") as [string, string];
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  const local = socket.address().port;
  const pending = new Map<string, { sentAt: number; timer: NodeJS.Timeout }>();
  const probe: OverloadProbe = { refusedAt: [], sent: 0, stop: async () => {} };
  socket.on("message", (data) => {
    const text = data.toString("latin1");
    const id = /^Call-ID: (\S+)/im.exec(text)?.[1];
    const entry = id ? pending.get(id) : undefined;
    if (!entry) return;
    clearTimeout(entry.timer);
    pending.delete(id!);
    if (/^SIP\/2\.0 503/.test(text)) probe.refusedAt.push(entry.sentAt);
  });
  const send = () => {
    const id = randomBytes(6).toString("hex");
    const callId = `${id}@probe`;
    const request = [
      `INVITE sip:probe-nobody@${host} SIP/2.0`,
      `Via: SIP/2.0/UDP ${address}:${local};branch=z9hG4bK${id};rport`,
      "Max-Forwards: 70",
      `From: <sip:probe@${address}>;tag=${id}`,
      `To: <sip:probe-nobody@${host}>`,
      `Call-ID: ${callId}`,
      "CSeq: 1 INVITE",
      `Contact: <sip:probe@${address}:${local}>`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    const sentAt = Date.now();
    pending.set(callId, { sentAt, timer: setTimeout(() => (pending.delete(callId), probe.refusedAt.push(sentAt)), 1000) });
    probe.sent++;
    socket.send(request, Number(port), host);
  };
  const interval = setInterval(send, intervalMs);
  probe.stop = async () => {
    clearInterval(interval);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    socket.close();
  };
  return probe;
}
