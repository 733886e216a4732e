import { createSocket } from "node:dgram";
import { join } from "node:path";
import { requireBinary } from "./require-binary.ts";
import { reserveRtpPorts, type PortRange } from "./rtp-port-range.ts";
import { sleep, startProcess, tail, type RunningProcess } from "./start-process.ts";

/** A running userspace rtpengine and its control (ng) port. */
export interface RunningRtpengine {
  process: RunningProcess;
  ngPort: number;
  /** Its media ports. */
  ports: PortRange;
  /** Sends one ng command (bencoded) and returns the raw reply text. */
  command(bencoded: string): Promise<string>;
}

/** Where rtpengine listens and which media ports it may use. */
export interface RtpengineOptions {
  ngPort: number;
  /**
   * Media ports: a count, reserved in the band below the ephemeral ports for as long as this rtpengine runs
   * (rtp-port-range.ts says why), or a range of the caller's (a recipe's).
   */
  ports: number | PortRange;
  /** A compiled rtpengine.conf (section `rtpengine`); the options above override its addresses and ports. */
  configPath?: string;
  /**
   * Worker threads (`--num-threads`). Unless given, none is passed, as on the appliance: rtpengine then starts
   * one worker per core, but at least 4 (10.5; 4 on a 2-core machine).
   */
  threads?: number | "default";
  /** `--log-level` (6 = info unless given; 7 = debug, with every ICE and DTLS step). */
  logLevel?: number;
  /** More command-line options (e.g. a second `--interface` for more ICE host candidates). */
  extraArgs?: string[];
  /** Seconds without media before rtpengine ends a call (60 unless given). */
  timeoutSeconds?: number;
  /**
   * The rtpengine program to run (a path): unless given, `RTCGW_RTPENGINE` from the environment (test/run.ts sets
   * it to the image's, test/harness/image-tools.ts), else this machine's.
   */
  binary?: string;
  /** Where rtpengine reports a call that timed out (the test gateway's loopback listener), instead of the compiled URL. */
  teardownUrl?: string;
}

// Starts rtpengine in userspace (`table = -1`, no kernel module) on 127.0.0.1 and waits until it answers `ping`.
// Command-line options override the config file: loopback addresses and ports, no delete delay (tests
// count calls right after BYE), logs to stderr.
export async function startRtpengine(workDir: string, options: RtpengineOptions): Promise<RunningRtpengine> {
  const binary = options.binary ?? process.env.RTCGW_RTPENGINE ?? requireBinary("rtpengine", "rtpengine-daemon");
  const threads = options.threads ?? "default";
  const reserved = typeof options.ports === "number" ? reserveRtpPorts(options.ports) : undefined;
  const ports = reserved ?? (options.ports as PortRange);
  // The appliance's thread count by default. The compiled config sets `poller-per-thread = true`: without it the
  // workers share one epoll set, two of them can read the same socket at once and hand datagrams to OpenSSL out of
  // order. werift (the e2e browser stand-in) sends each record of a DTLS flight in its own datagram and retransmits
  // the very same records: once its Certificate…Finished flight was reordered the handshake stalled for good
  // (rtpengine logged "Peer certificate accepted", never "DTLS-SRTP successfully negotiated"). Chromium sends that
  // flight in one datagram. PBX → browser, 20 calls per row (2026-11-25, 2 cores; default = 4 workers here):
  //   without poller-per-thread: werift 1 thread 20/20, 2 threads 17/20 and 13/20, default 10/20;
  //     Chromium (test/gateway/agent-tryit-incoming.test.ts, RTCGW_TRYIT_INCOMING_CALLS=20) 20/20 at 1, 2 and default.
  //   with poller-per-thread: werift default 20/20.
  const args = [
    ...(options.configPath ? [`--config-file=${options.configPath}`, "--config-section=rtpengine"] : ["--config-file=none"]),
    "--foreground",
    "--table=-1",
    "--no-fallback",
    "--interface=127.0.0.1",
    `--listen-ng=127.0.0.1:${options.ngPort}`,
    `--port-min=${ports.min}`,
    `--port-max=${ports.max}`,
    "--delete-delay=0",
    "--log-stderr",
    `--log-level=${options.logLevel ?? 6}`,
    `--timeout=${options.timeoutSeconds ?? 60}`,
    ...(options.teardownUrl ? [`--b2b-url=${options.teardownUrl}`] : []),
    ...(threads === "default" ? [] : [`--num-threads=${threads}`]),
    ...(options.extraArgs ?? []),
  ];
  const proc = startProcess("rtpengine", binary, args, join(workDir, "rtpengine.log"));
  reserved?.handOver(proc.pid);
  void proc.exited.then(() => reserved?.release());
  const engine: RunningRtpengine = { process: proc, ngPort: options.ngPort, ports, command: (b) => sendNg(options.ngPort, b) };
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
