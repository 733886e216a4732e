// The build's work directory `<out>/.tmp-<hash12>-<pid>`: swept when its builder died, discarded on
// failure (the log kept beside it), renamed into place on success.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
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

// Copies files of a failed build that outlive its work directory (the boot test's serial consoles) beside
// `failedLog` as `<failedLog without .log>-<name>`; returns each kept copy by its old path.
export function keepBesideFailedLog(paths: readonly string[], failedLog: string): Map<string, string> {
  const kept = new Map<string, string>();
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const copy = `${failedLog.replace(/\.log$/, "")}-${path.split("/").pop()}`;
    mkdirSync(join(copy, ".."), { recursive: true });
    copyFileSync(path, copy);
    kept.set(path, copy);
  }
  return kept;
}

// Removes what a failed build of this artifact left beside it (`<artifactDir>.failed*.log`) once a build succeeded.
export function removeFailedLogs(artifactDir: string): void {
  const dir = join(artifactDir, "..");
  const prefix = `${artifactDir.split("/").pop()}.failed`;
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (name.startsWith(prefix) && name.endsWith(".log")) rmSync(join(dir, name), { force: true });
}
