// Runs a command inside a rootfs in private namespaces (see namespace-script.ts), its output
// appended to the build log and also returned.
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
  const [file, ...args] = renderNamespaceCommand(run);
  options.log.note(`$ ${run.command.join(" ")}  (in ${run.rootDir}${run.overlayDir ? ", overlay" : ""}${run.privateNetwork ? ", private network" : ""})`);
  const result = await execa(file!, args, {
    reject: false,
    stdin: "ignore",
    stdout: ["pipe", { file: options.log.path, append: true }],
    stderr: ["pipe", { file: options.log.path, append: true }],
    env: { LC_ALL: "C.UTF-8", DEBIAN_FRONTEND: "noninteractive", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...options.env },
    extendEnv: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    forceKillAfterDelay: 5000,
  });
  if (result.isCanceled) throw options.signal?.reason ?? new Error("canceled");
  if (result.timedOut) options.log.note(`timed out after ${options.timeoutMs} ms`);
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
