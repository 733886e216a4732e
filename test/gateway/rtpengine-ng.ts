// Test helper: one ng command to a real rtpengine over UDP, bencoded, with the reply decoded.
import { createSocket } from "node:dgram";
import { decodeBencode, encodeBencode, type BencodeValue } from "../../gateway/agent/control/bencode.ts";
import { sleep, type RunningProcess } from "../harness/start-process.ts";

// Sends `command` to 127.0.0.1:port and resolves with the decoded reply (rejects after 500 ms without one).
export function sendNgCommand(port: number, command: Record<string, BencodeValue>): Promise<Record<string, BencodeValue>> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const cookie = `t${Math.random().toString(36).slice(2, 10)}`;
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no ng reply on 127.0.0.1:${port}`));
    }, 500);
    socket.on("message", (message) => {
      clearTimeout(timer);
      socket.close();
      const text = message.subarray(cookie.length + 1);
      resolve(decodeBencode(text) as Record<string, BencodeValue>);
    });
    socket.send(Buffer.concat([Buffer.from(`${cookie} `), encodeBencode(command)]), port, "127.0.0.1");
  });
}

// Pings until rtpengine answers `pong` (or exits, or 50 tries pass); returns the raw reply bytes of the first pong.
export async function waitForPong(proc: RunningProcess, port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50 && proc.isAlive(); attempt++) {
    const reply = await sendNgCommand(port, { command: "ping" }).catch(() => undefined);
    if (reply?.result === "pong") return true;
    await sleep(100);
  }
  return false;
}

// Offers a plain RTP audio SDP and returns rtpengine's rewritten SDP.
export async function offerAudio(port: number, callId: string): Promise<string> {
  const sdp = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 4000 RTP/AVP 0", ""].join("\r\n");
  const reply = await sendNgCommand(port, { command: "offer", "call-id": callId, "from-tag": "a1", sdp });
  if (reply.result !== "ok") throw new Error(`offer failed: ${JSON.stringify(reply)}`);
  return String(reply.sdp);
}
