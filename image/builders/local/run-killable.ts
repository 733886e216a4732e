// Runs an `unshare --pid --fork --kill-child …` command line whose namespace dies as a whole: on
// cancel, unshare gets SIGKILL (it blocks SIGTERM while it waits for its child), its child (PID 1 of
// the namespace) dies with it, and this waits until that child is gone: the kernel has then reaped
// every process of the namespace and dropped its mounts. If this process dies (kill -9), so does the command.
import { readFileSync } from "node:fs";
import { execa } from "execa";
import type { BuildLog } from "./build-log.ts";

/** How a run ended. */
export interface KillableRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The environment every namespaced run gets on top of (or instead of) the builder's. */
export const namespaceEnv = { LC_ALL: "C.UTF-8", DEBIAN_FRONTEND: "noninteractive", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };

// Runs `argv`, output appended to the log and returned; throws only when canceled.
export async function runKillable(
  argv: readonly string[],
  options: {
    log: BuildLog;
    signal?: AbortSignal;
    env?: Record<string, string>;
    inheritEnv?: boolean;
    timeoutMs?: number;
    /** Run at this nice level (work beside a time-critical step, e.g. the boot test's VM). @default 0 */
    niceness?: number;
  },
): Promise<KillableRunResult> {
  options.signal?.throwIfAborted();
  // `setpriv --pdeathsig KILL`: the command dies with this process, even by kill -9 (then `unshare --kill-child` takes its
  // namespace along), instead of running on as an orphan in a work directory the next build sweeps away.
  const [file, ...args] = [...(options.niceness ? ["nice", "-n", String(options.niceness)] : []), "setpriv", "--pdeathsig", "KILL", "--", ...argv];
  const subprocess = execa(file!, args, {
    reject: false,
    stdin: "ignore",
    stdout: ["pipe", { file: options.log.path, append: true }],
    stderr: ["pipe", { file: options.log.path, append: true }],
    env: { ...namespaceEnv, ...options.env },
    extendEnv: options.inheritEnv ?? false,
    killSignal: "SIGKILL",
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
  let namespaceInit: number[] = [];
  const cancel = () => {
    namespaceInit = readChildren(subprocess.pid);
    subprocess.kill("SIGKILL");
  };
  options.signal?.addEventListener("abort", cancel, { once: true });
  try {
    const result = await subprocess;
    if (options.signal?.aborted) {
      await waitUntilGone(namespaceInit);
      throw options.signal.reason ?? new Error("canceled");
    }
    if (result.timedOut) options.log.note(`timed out after ${options.timeoutMs} ms`);
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  } finally {
    options.signal?.removeEventListener("abort", cancel);
  }
}

function readChildren(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitUntilGone(pids: number[]): Promise<void> {
  for (let round = 0; round < 500; round++) {
    if (pids.every((pid) => !isAlive(pid))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A zombie counts as gone: PID 1 of a namespace turns zombie only after every process in it was reaped.
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
