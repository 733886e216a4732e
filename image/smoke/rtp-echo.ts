import { createSocket, type Socket } from "node:dgram";

/** A PBX-side media endpoint: echoes every RTP packet to its sender under its own SSRC and counts them. */
export interface RtpEcho {
  port: number;
  /** RTP packets received (and echoed). */
  received: number;
  /** Packets received (and echoed) per payload type. */
  perPayloadType: Record<number, number>;
  close(): Promise<void>;
}

// Binds an RTP echo on `address`:`port` (0 = any free port). A real phone answers with its own stream,
// not the caller's SSRC, so the echo rewrites the SSRC (a WebRTC stack drops packets carrying its own).
export function startRtpEcho(address: string, port = 0): Promise<RtpEcho> {
  const socket: Socket = createSocket("udp4");
  const echo: RtpEcho = { port: 0, received: 0, perPayloadType: {}, close: () => new Promise((resolve) => socket.close(() => resolve())) };
  socket.on("message", (packet, from) => {
    if (packet.length < 12 || packet[0]! >> 6 !== 2) return;
    const payloadType = packet[1]! & 0x7f;
    if (payloadType >= 72 && payloadType <= 79) return; // RTCP on a shared port
    echo.received++;
    echo.perPayloadType[payloadType] = (echo.perPayloadType[payloadType] ?? 0) + 1;
    const reply = Buffer.from(packet);
    reply.writeUInt32BE(0x5eed0001, 8);
    socket.send(reply, from.port, from.address);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      echo.port = socket.address().port;
      resolve(echo);
    });
  });
}
