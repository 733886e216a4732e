import { join } from "node:path";
import { readFileSync } from "node:fs";
import { requireBinary } from "./require-binary.ts";
import { startProcess, tail, type RunningProcess } from "./start-process.ts";
import { isUdpPortBound, waitUntil } from "./wait-until.ts";

/** A sipp instance, the file it logs every SIP message to and the one it logs why calls failed to. */
export interface RunningSipp {
  process: RunningProcess;
  messageFile: string;
  /** The SIP messages logged so far. */
  messages(): string;
  /** sipp's error log so far: a line per aborted call (empty while every call succeeds). */
  errors(): string;
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
  const errorFile = join(options.workDir, `${options.name}-errors.log`);
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
    // Written only when a call fails, so it costs nothing on a clean run.
    "-trace_err",
    "-error_file",
    errorFile,
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
  return { process: proc, messageFile, messages: () => readIfPresent(messageFile), errors: () => readIfPresent(errorFile) };
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

// Why sipp aborted calls, most frequent first, from its error log: the message that arrived where the scenario
// expected another ("408 Request Timeout", or a request's method), or sipp's own reason ("UDP retransmission
// timeout") when nothing came back. Messages for calls already aborted ("Dead call") are not failures of their own.
export function summarizeSippErrors(errorLog: string): Array<{ reason: string; calls: number }> {
  const counts = new Map<string, number>();
  for (const match of errorLog.matchAll(
    /Aborting call on (?:unexpected message for Call-Id '[^']*':[^']*'[^']*'[^']*received '([^\r\n']*)|([a-zA-Z ]+?) for Call)/g,
  )) {
    const firstLine = match[1];
    const reason = firstLine === undefined ? match[2]! : (/^SIP\/2\.0 (\d{3}.*)$/.exec(firstLine)?.[1] ?? firstLine.split(" ")[0]!);
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, calls]) => ({ reason, calls })).sort((a, b) => b.calls - a.calls);
}
