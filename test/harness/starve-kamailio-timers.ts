import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { requireBinary } from "./require-binary.ts";

/** CPU pressure on a running Kamailio; `stop()` ends it. */
export interface TimerStarvation {
  /** The starved processes, as Kamailio's `core.psx` describes them (e.g. "timer", "Dialog Clean Timer"). */
  starved: string[];
  stop(): void;
}

// Makes Kamailio's timer processes (which fire dialog timeouts and send the gateway's own BYEs) run only
// when a CPU is idle (SCHED_IDLE), and keeps every CPU busy with one spin loop each. A timer process
// is then preempted between two steps that Kamailio does not guard, while its SIP workers keep their
// normal share: the timing a busy appliance shows now and then, made the common case. `rpcUrl` is the
// gateway's JSONRPC endpoint (the loopback listener's /RPC).
export async function starveKamailioTimers(rpcUrl: string): Promise<TimerStarvation> {
  const chrt = requireBinary("chrt", "util-linux");
  const response = await fetch(rpcUrl, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", method: "core.psx", id: 1 }) });
  const processes = ((await response.json()) as { result: { PID: number; DSC: string }[] }).result;
  const timers = processes.filter((process) => /timer/i.test(process.DSC));
  if (timers.length === 0) throw new Error(`no timer process in core.psx: ${JSON.stringify(processes)}`);
  for (const timer of timers) {
    const result = spawnSync(chrt, ["--idle", "--pid", "0", String(timer.PID)], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`chrt --idle on Kamailio's "${timer.DSC}" (pid ${timer.PID}) failed: ${result.stderr}`);
  }
  // Each spin loop also ends by itself after 60 s, should the test process die without calling stop().
  const timeout = requireBinary("timeout", "coreutils");
  const spinners: ChildProcess[] = [];
  for (let cpu = 0; cpu < availableParallelism(); cpu++) {
    spinners.push(spawn(timeout, ["-s", "KILL", "60", "sh", "-c", "while :; do :; done"], { stdio: "ignore" }));
  }
  return {
    starved: timers.map((timer) => timer.DSC),
    stop: () => {
      // SIGTERM to `timeout` ends its spin loop too.
      for (const spinner of spinners) spinner.kill("SIGTERM");
    },
  };
}
