// Runs a command inside a rootfs in private namespaces (see namespace-script.ts), its output
// appended to the build log and also returned; a cancel kills the whole namespace (run-killable.ts).
import type { BuildLog } from "./build-log.ts";
import { renderNamespaceCommand, type NamespaceRun } from "./namespace-script.ts";
import { runKillable, type KillableRunResult } from "./run-killable.ts";

/** How a namespace run ended. */
export type NamespaceRunResult = KillableRunResult;

// Runs `run`; never throws for a non-zero exit (the caller decides), only for a cancel.
export async function runInNamespaces(
  run: NamespaceRun,
  options: { log: BuildLog; signal?: AbortSignal; env?: Record<string, string>; timeoutMs?: number; niceness?: number },
): Promise<NamespaceRunResult> {
  options.log.note(`$ ${run.command.join(" ")}  (in ${run.rootDir}${run.overlayDir ? ", overlay" : ""}${run.privateNetwork ? ", private network" : ""})`);
  return runKillable(renderNamespaceCommand(run), options);
}
