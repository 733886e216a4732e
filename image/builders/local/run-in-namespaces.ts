// Runs a command inside a rootfs in private namespaces (see namespace-script.ts), its output
// appended to the build log and also returned. On cancel, unshare gets SIGKILL (it blocks SIGTERM
// while it waits), its child (PID 1 of the namespace) dies with it, and this waits until that child
// is gone: the kernel reaps every process of the namespace, and drops its mounts, before that.
import { readFileSync } from "node:fs";
import { execa } from "execa";
import type { BuildLog } from "./build-log.ts";
import { renderNamespaceCommand, type NamespaceRun } from "./namespace-script.ts";

/** How a namespace run ended. */
export interface NamespaceRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Runs `run`; never throws for a non-zero exit (the caller decides), only for a cancel.
export async function runInNamespaces(
  run: NamespaceRun,
  options: { log: BuildLog; signal?: AbortSignal; env?: Record<string, string>; timeoutMs?: number },
): Promise<NamespaceRunResult> {
  options.signal?.throwIfAborted();
  const [file, ...args] = renderNamespaceCommand(run);
  options.log.note(`$ ${run.command.join(" ")}  (in ${run.rootDir}${run.overlayDir ? ", overlay" : ""}${run.privateNetwork ? ", private network" : ""})`);
  const subprocess = execa(file!, args, {
    reject: false,
    stdin: "ignore",
    stdout: ["pipe", { file: options.log.path, append: true }],
    stderr: ["pipe", { file: options.log.path, append: true }],
    env: { LC_ALL: "C.UTF-8", DEBIAN_FRONTEND: "noninteractive", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...options.env },
    extendEnv: false,
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
  for (let round = 0; round < 300; round++) {
    if (pids.every((pid) => !isAlive(pid))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
