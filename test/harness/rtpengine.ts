import { createSocket } from "node:dgram";
import { join } from "node:path";
import { requireBinary } from "./require-binary.ts";
import { sleep, startProcess, type RunningProcess } from "./start-process.ts";
import { tail } from "./kamailio.ts";

/** A running userspace rtpengine and its control (ng) port. */
export interface RunningRtpengine {
  process: RunningProcess;
  ngPort: number;
  /** Sends one ng command (bencoded) and returns the raw reply text. */
  command(bencoded: string): Promise<string>;
}

/** Where rtpengine listens and which media ports it may use. */
export interface RtpengineOptions {
  ngPort: number;
  portMin: number;
  portMax: number;
  /** A compiled rtpengine.conf (section `rtpengine`); the options above override its addresses and ports. */
  configPath?: string;
}

// Starts rtpengine in userspace (`table = -1`, no kernel module) on 127.0.0.1 and waits until it answers `ping`.
// Command-line options override the config file: loopback addresses and ports, no delete delay (tests
// count calls right after BYE), logs to stderr.
export async function startRtpengine(workDir: string, options: RtpengineOptions): Promise<RunningRtpengine> {
  const binary = requireBinary("rtpengine", "rtpengine-daemon");
  // One worker thread. With DTLS=passive in the answer to a browser, about one werift handshake in three
  // stalled with --num-threads=2; without that flag 6 werift and 4 Chromium calls toward the PBX completed
  // with 2 threads, but one werift call from the PBX (rtpengine the DTLS server) failed: still open.
  const args = [
    ...(options.configPath ? [`--config-file=${options.configPath}`, "--config-section=rtpengine"] : ["--config-file=none"]),
    "--foreground", "--table=-1", "--no-fallback", "--interface=127.0.0.1",
    `--listen-ng=127.0.0.1:${options.ngPort}`, `--port-min=${options.portMin}`, `--port-max=${options.portMax}`,
    "--delete-delay=0", "--log-stderr", "--log-level=6", "--num-threads=1", "--timeout=60",
  ];
  const proc = startProcess("rtpengine", binary, args, join(workDir, "rtpengine.log"));
  const engine: RunningRtpengine = { process: proc, ngPort: options.ngPort, command: (b) => sendNg(options.ngPort, b) };
  for (let attempt = 0; attempt < 50; attempt++) {
    if (!proc.isAlive()) break;
    if ((await engine.command("d7:command4:pinge").catch(() => "")).includes("pong")) return engine;
    await sleep(100);
  }
  await proc.stop();
  throw new Error(`rtpengine did not answer ping:\n${tail(proc.logPath)}`);
}

// Counts the calls rtpengine currently holds (ng `list`).
export async function countRtpengineCalls(engine: RunningRtpengine): Promise<number> {
  const reply = await engine.command("d7:command4:liste");
  let at = reply.indexOf("5:callsl");
  if (at < 0) throw new Error(`unexpected rtpengine list reply: ${reply}`);
  at += "5:callsl".length;
  let count = 0;
  while (reply[at] !== "e") {
    const colon = reply.indexOf(":", at);
    at = colon + 1 + Number(reply.slice(at, colon));
    count++;
  }
  return count;
}

function sendNg(port: number, bencoded: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const cookie = `c${Math.random().toString(36).slice(2, 10)} `;
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("rtpengine ng timeout"));
    }, 500);
    socket.on("message", (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(message.toString("latin1").slice(cookie.length));
    });
    socket.send(cookie + bencoded, port, "127.0.0.1");
  });
}
