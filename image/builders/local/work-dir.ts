// The build's work directory `<out>/.tmp-<hash12>-<pid>`: swept when its builder died, discarded on
// failure (the log kept beside it), renamed into place on success.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isProcessRunning } from "../../../io/is-process-running.ts";

// Removes work directories left by builders that are no longer running (a crash or SIGKILL).
export function sweepStaleWorkDirs(outDir: string): string[] {
  const swept: string[] = [];
  if (!existsSync(outDir)) return swept;
  for (const name of readdirSync(outDir)) {
    const match = /^\.tmp-[0-9a-f]{12}-(\d+)$/.exec(name);
    if (!match || isProcessRunning(Number(match[1]))) continue;
    rmSync(join(outDir, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

// Moves the finished work directory to `artifactDir`, replacing a previous (not good) artifact there.
export function promoteWorkDir(workDir: string, artifactDir: string): void {
  if (existsSync(artifactDir)) {
    const aside = `${workDir}-replaced`;
    renameSync(artifactDir, aside);
    rmSync(aside, { recursive: true, force: true });
  }
  renameSync(workDir, artifactDir);
}

// Discards a failed build's work directory, keeping its log as `failedLog`.
export function discardWorkDir(workDir: string, logPath: string, failedLog: string): void {
  if (existsSync(logPath)) {
    mkdirSync(join(failedLog, ".."), { recursive: true });
    renameSync(logPath, failedLog);
  }
  rmSync(workDir, { recursive: true, force: true });
}
