// The build log: one file per build, every step's header and every tool's output, in order.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** Where a build writes its log lines and tool output. */
export interface BuildLog {
  /** The log file (tools append to it directly). */
  path: string;
  /** Appends one timestamped line. */
  note(line: string): void;
}

// Opens (creates) the build log at `path`.
export function openBuildLog(path: string, now: () => Date = () => new Date()): BuildLog {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, "");
  return {
    path,
    note(line) {
      appendFileSync(path, `[${now().toISOString()}] ${line}\n`);
    },
  };
}
