import { createSocket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { decodeBencode, encodeBencode, type BencodeValue } from "./bencode.ts";

/** rtpengine's view of the calls it anchors. */
export interface RtpengineSummary {
  /** Call-IDs of the current calls (the first 100). */
  callIds: string[];
  /** Sessions owned by this rtpengine. */
  sessions: number;
}

// Sends one ng command over UDP to rtpengine on loopback and returns its reply dictionary.
export async function sendNgCommand(
  port: number,
  command: Record<string, BencodeValue>,
  timeoutMs = 1000,
  host = "127.0.0.1",
): Promise<Record<string, BencodeValue>> {
  const cookie = randomBytes(8).toString("hex");
  const socket = createSocket("udp4");
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`rtpengine did not answer \`${String(command.command)}\` on ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on("message", (message) => {
        const space = message.indexOf(0x20);
        if (message.subarray(0, space).toString() !== cookie) return;
        clearTimeout(timer);
        try {
          const reply = decodeBencode(message.subarray(space + 1));
          if (typeof reply !== "object" || Array.isArray(reply)) throw new Error("rtpengine replied with something other than a dictionary");
          if (reply.result === "error") throw new Error(`rtpengine: ${String(reply["error-reason"])}`);
          resolve(reply);
        } catch (error) {
          reject(error);
        }
      });
      socket.send(Buffer.concat([Buffer.from(`${cookie} `), encodeBencode(command)]), port, host);
    });
  } finally {
    socket.close();
  }
}

// The current calls and session count, from `list` and `statistics`.
export async function queryRtpengine(port: number, host = "127.0.0.1"): Promise<RtpengineSummary> {
  const [list, statistics] = await Promise.all([
    sendNgCommand(port, { command: "list", limit: "100" }, 1000, host),
    sendNgCommand(port, { command: "statistics" }, 1000, host),
  ]);
  const calls = Array.isArray(list.calls) ? list.calls.map(String) : [];
  const current = (statistics.statistics as Record<string, Record<string, BencodeValue>> | undefined)?.currentstatistics;
  const sessions = Number(current?.sessionsown ?? current?.sessionstotal ?? calls.length);
  return { callIds: calls, sessions: Number.isFinite(sessions) ? sessions : calls.length };
}
