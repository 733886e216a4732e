import type { CommandIo } from "./command.ts";

/** A step event of the local build (the AWS build, publish, sweep and retire print theirs with printProgress in aws-shared.ts). */
export interface StepEvent {
  step: string;
  state: "start" | "done" | "failed";
  elapsedMs: number;
  stepMs?: number;
  detail?: string;
}

function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, " ")}:${String(seconds % 60).padStart(2, "0")}`;
}

// Renders progress on stderr: one line per finished step with its duration and the elapsed time;
// on a terminal the running step is shown too. Silent with --json (the result is the output).
export function createProgressRenderer(io: CommandIo, titles: Readonly<Record<string, string>>, quiet: boolean): (event: StepEvent) => void {
  return (event) => {
    if (quiet) return;
    const title = titles[event.step] ?? event.step;
    const at = `[${clock(event.elapsedMs)}]`;
    if (event.state === "start") {
      if (io.interactive) io.stderr(`${at} … ${title}\n`);
      return;
    }
    const took = event.stepMs !== undefined ? ` (${(event.stepMs / 1000).toFixed(1)} s)` : "";
    const mark = event.state === "done" ? "✓" : "✗";
    io.stderr(`${at} ${mark} ${title}${took}${event.detail ? `: ${event.detail}` : ""}\n`);
  };
}
