import { join } from "node:path";
import { readFileSync } from "node:fs";
import { requireBinary } from "./require-binary.ts";
import { startProcess, tail, type RunningProcess } from "./start-process.ts";
import { isUdpPortBound, waitUntil } from "./wait-until.ts";

/** A sipp instance and the file it logs every SIP message to. */
export interface RunningSipp {
  process: RunningProcess;
  messageFile: string;
  /** The SIP messages logged so far. */
  messages(): string;
}

/** What to run: a scenario file from test/e2e/fixtures/sipp (or sipp's built-in one) and where. */
export interface SippOptions {
  name: string;
  workDir: string;
  scenario: string;
  localAddress: string;
  localPort: number;
  /** `host:port` to send to (UAC scenarios). */
  remote?: string;
  /** Where the scenario's SDP sends media (`[rtp_ip]`, `[rtp_port]`, `[video_port]`), e.g. an RTP echo. */
  rtp?: { address: string; port: number; videoPort?: number };
  calls?: number;
  /** `-key name value` pairs. */
  keys?: Record<string, string>;
  extraArgs?: string[];
  timeoutSeconds?: number;
  /** Log every SIP message to `messageFile` (true unless given; benchmarks turn it off: it costs sipp CPU). */
  trace?: boolean;
}

/** The path of a sipp scenario fixture. */
export function sippScenario(name: string): string {
  return new URL(`../e2e/fixtures/sipp/${name}`, import.meta.url).pathname;
}

function rtpKeys(rtp: SippOptions["rtp"]): Record<string, string> {
  if (!rtp) return {};
  return { rtp_ip: rtp.address, rtp_port: String(rtp.port), video_port: String(rtp.videoPort ?? rtp.port + 2) };
}

// Starts sipp (UAS when there is no `remote`) with a message trace; media is left to `options.rtp`. A UAS
// is returned once its SIP socket is bound, so a call placed next cannot reach a closed port.
export async function startSipp(options: SippOptions): Promise<RunningSipp> {
  const sipp = requireBinary("sipp", "sip-tester");
  const messageFile = join(options.workDir, `${options.name}-messages.log`);
  const args = [
    ...(options.remote ? [options.remote] : []),
    "-sf",
    options.scenario,
    "-i",
    options.localAddress,
    "-p",
    String(options.localPort),
    "-nostdin",
    ...(options.trace === false ? [] : ["-trace_msg", "-message_file", messageFile]),
    "-m",
    String(options.calls ?? 1),
    "-timeout",
    `${options.timeoutSeconds ?? 30}s`,
    "-timeout_error",
    ...Object.entries({ ...rtpKeys(options.rtp), ...options.keys }).flatMap(([key, value]) => ["-key", key, value]),
    ...(options.extraArgs ?? []),
  ];
  const logPath = join(options.workDir, `${options.name}.log`);
  const proc = startProcess(options.name, sipp, args, logPath);
  if (!options.remote) {
    await waitUntil(() => isUdpPortBound(options.localAddress, options.localPort), {
      what: `sipp ${options.name} binding ${options.localAddress}:${options.localPort}`,
      failWhen: () => (proc.isAlive() ? undefined : `it exited:\n${tail(logPath)}`),
    });
  }
  return {
    process: proc,
    messageFile,
    messages: () => {
      try {
        return readFileSync(messageFile, "utf8");
      } catch {
        return "";
      }
    },
  };
}
