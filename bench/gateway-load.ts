// One sipp load run through a running gateway: a caller on the PBX side (an upstream source, so the
// flood ban does not apply) sends calls with a preloaded Route through the gateway to a sipp answerer.
import { readFileSync } from "node:fs";
import { findFreePorts } from "../test/harness/free-ports.ts";
import { startSipp, summarizeSippErrors } from "../test/harness/sipp.ts";
import { processCpuMs } from "./gateway-media-cpu.ts";

/** What one run measured, from sipp's cumulative statistics. */
export interface LoadResult {
  rate: number;
  successful: number;
  failed: number;
  /** Achieved calls per second (sipp's cumulative call rate). */
  cps: number;
  retransmissions: number;
  /** CPU milliseconds of both sipp processes (the load generator), and of the proxy under test, over the run. */
  sippCpuMs: number;
  proxyCpuMs: number;
  /** Wall time of the run (first call to the caller's exit). */
  wallMs: number;
  /** Why the caller's failed calls failed (sipp's error log), most frequent first. */
  failureReasons: Array<{ reason: string; calls: number }>;
}

/** The proxy a run goes through: its SIP address, a work dir for sipp's logs, and its CPU so far. */
export interface LoadTarget {
  workDir: string;
  sipAddress: string;
  cpuMs(): number;
}

/** A run: scenario pair, offered rate, number of calls, call hold time. */
export interface LoadOptions {
  kind: "signalling" | "anchored";
  rate: number;
  calls: number;
  holdMs?: number;
}

const callerAddress = "127.0.0.2";
let runs = 0;
const answererAddress = "127.0.0.4";

// Runs `calls` calls at `rate` CPS and returns sipp's counts and the CPU used; both sipp processes end by
// themselves (or on -timeout). sipp's CPU is sampled every 100 ms while it runs (its /proc entry goes at exit).
export async function runLoad(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  const [uasPort, uacPort, uasMedia, uacMedia] = await findFreePorts(4);
  const gateway = target.sipAddress;
  const scenario = (role: string) => new URL(`gateway-sipp/${role}-${options.kind}.xml`, import.meta.url).pathname;
  const timeoutSeconds = Math.ceil(options.calls / options.rate) + 30;
  const uas = await startSipp({
    name: `bench-uas-${options.kind}-${options.rate}-${++runs}`,
    trace: false,
    workDir: target.workDir,
    scenario: scenario("uas"),
    localAddress: answererAddress,
    localPort: uasPort!,
    // It must outlive the caller (it is stopped below): sipp counts a late retransmitted INVITE, arriving after its
    // call ended, as a new call, and with -m at the caller's count it exited before the caller's last calls, which
    // then failed as 408 (Kamailio's timer) and stretched the step's wall time.
    calls: options.calls * 2,
    timeoutSeconds,
    extraArgs: ["-mi", answererAddress, "-mp", String(uasMedia)],
  });
  const uac = await startSipp({
    name: `bench-uac-${options.kind}-${options.rate}-${runs}`,
    trace: false,
    workDir: target.workDir,
    scenario: scenario("uac"),
    localAddress: callerAddress,
    localPort: uacPort!,
    remote: gateway,
    calls: options.calls,
    timeoutSeconds,
    keys: { uas: `${answererAddress}:${uasPort}`, gateway },
    extraArgs: ["-s", "bench", "-r", String(options.rate), "-d", String(options.holdMs ?? 0), "-l", "5000", "-mi", callerAddress, "-mp", String(uacMedia)],
  });
  const started = performance.now();
  const proxyBefore = target.cpuMs();
  const sippCpu = { uac: 0, uas: 0 };
  const sample = () => {
    for (const [name, proc] of [
      ["uac", uac.process],
      ["uas", uas.process],
    ] as const) {
      try {
        sippCpu[name] = processCpuMs(proc.pid);
      } catch {
        // it has exited: keep the last sample
      }
    }
  };
  const sampler = setInterval(sample, 100);
  await uac.process.exited;
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  const proxyCpuMs = target.cpuMs() - proxyBefore;
  sample();
  await uas.process.stop();
  return {
    rate: options.rate,
    ...parseSippStatistics(readFileSync(uac.process.logPath, "utf8")),
    sippCpuMs: sippCpu.uac + sippCpu.uas,
    proxyCpuMs,
    wallMs,
    failureReasons: summarizeSippErrors(uac.errors()),
  };
}

// Reads the cumulative column of sipp's final statistics screen.
export function parseSippStatistics(screen: string): Pick<LoadResult, "successful" | "failed" | "cps" | "retransmissions"> {
  const last = screen.slice(screen.lastIndexOf("Statistics Screen"));
  const cumulative = (label: string) => {
    const match = new RegExp(`${label}\\s*\\|[^|]*\\|\\s*([0-9.]+)`).exec(last);
    return match ? Number(match[1]) : NaN;
  };
  const retransmissions = [...screen.slice(screen.lastIndexOf("Scenario Screen")).matchAll(/^\s*\S+\s+(?:-+>|<-+)\s+\d+\s+(\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
  return { successful: cumulative("Successful call"), failed: cumulative("Failed call"), cps: cumulative("Call Rate"), retransmissions };
}
