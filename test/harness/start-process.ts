import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { constants as osConstants } from "node:os";

/** A started child process: its output goes to a log file; `stop()` ends it by PID. */
export interface RunningProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logPath: string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
  isAlive(): boolean;
  stop(): Promise<void>;
}

const running = new Set<RunningProcess>();

// Starts a process with stdout+stderr appended to `logPath`; registered so `stopAllProcesses` can end it.
export function startProcess(name: string, command: string, args: string[], logPath: string, env?: NodeJS.ProcessEnv): RunningProcess {
  const log = createWriteStream(logPath, { flags: "a" });
  // In a process group of its own, so that `stop()` also ends what it forked (a Kamailio worker orphaned by a
  // SIGKILL of its main process kept the log pipe open, and with it the test file, for 11 minutes).
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env, detached: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let alive = child.pid !== undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once("close", () => log.end());
    child.once("exit", (code, signal) => {
      alive = false;
      resolve(code ?? signal ?? "unknown");
    });
    child.once("error", (error) => {
      alive = false;
      resolve(`spawn error: ${error.message}`);
    });
  });
  if (child.pid === undefined) throw new Error(`cannot start ${name} (${command})`);
  const proc: RunningProcess = {
    name,
    pid: child.pid,
    child,
    logPath,
    exited,
    isAlive: () => alive,
    stop: async () => {
      running.delete(proc);
      if (alive) {
        process.kill(proc.pid, "SIGTERM");
        const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 3000).unref());
        if ((await Promise.race([exited, timeout])) === "timeout" && alive) {
          process.kill(proc.pid, "SIGKILL");
          await exited;
        }
      }
      killGroup(proc.pid);
    },
  };
  running.add(proc);
  endGroupsWhenKilled();
  return proc;
}

// Ends whatever is left in the process group `pgid` (none: nothing to do).
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

// The groups are not the terminal's: a Ctrl-C, or the test runner's SIGTERM at a timeout, reaches only this
// process, which ends every group it started before it goes.
let endGroupsOnSignal = false;
function endGroupsWhenKilled(): void {
  if (endGroupsOnSignal) return;
  endGroupsOnSignal = true;
  process.once("exit", () => running.forEach((proc) => killGroup(proc.pid)));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      running.forEach((proc) => killGroup(proc.pid));
      process.exit(128 + osConstants.signals[signal]);
    });
  }
}

// Stops every process started here that is still running (for `after`/`afterEach` hooks and failures).
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()));
}

// Resolves after `ms` milliseconds.
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The last lines of a log file, for failure messages.
export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
