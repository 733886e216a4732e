// The one progress renderer of every command that runs steps (local and AWS build, publish, sweep, retire): the step
// events of io/steps.ts on stderr, as lines for a person or, under --json, as one JSON object per line (stdout holds
// the result).
import type { ProgressEvent, ProgressListener } from "../io/steps.ts";
import type { CommandIo } from "./command.ts";

/** How to render: JSON lines, and titles for step ids (the local build's steps have titles; others print their id). */
export interface ProgressRendererOptions {
  json: boolean;
  titles?: Readonly<Record<string, string>>;
}

/** A still-running step prints again only after this long, unless what it waits on changed. */
export const runningRepeatMs = 60_000;

// Makes the listener a command passes to its run. As text: a line when a step starts (`[ 0:12] … build provision`),
// a line when it ends with its duration (`[ 1:40] ✓ build provision (88.0 s)`, `✗` and why when it failed), and while a
// regional step waits a line per region (`[ 9:00]   publish eu-west-1 copy: pending`), at most once a minute unless it changed.
export function createProgressRenderer(io: CommandIo, options: ProgressRendererOptions): ProgressListener {
  if (options.json) return (event) => io.stderr(`${JSON.stringify(event)}\n`);
  const lastRunning = new Map<string, { detail: string; at: number }>();
  return (event) => {
    const line = renderProgressLine(event, options.titles ?? {});
    if (event.state === "running") {
      const key = `${event.stage}:${event.region ?? ""}:${event.step}`;
      const seen = lastRunning.get(key);
      const detail = event.detail ?? "";
      if (seen && seen.detail === detail && event.elapsedMs - seen.at < runningRepeatMs) return;
      lastRunning.set(key, { detail, at: event.elapsedMs });
    }
    io.stderr(`${line}\n`);
  };
}

// One event as one line of text (pure).
export function renderProgressLine(event: ProgressEvent, titles: Readonly<Record<string, string>>): string {
  const title = titles[event.step] ?? [event.stage, event.region, event.step].filter(Boolean).join(" ");
  const mark = { start: "…", running: " ", done: "✓", failed: "✗" }[event.state];
  const took = event.stepMs !== undefined && event.state !== "start" ? ` (${(event.stepMs / 1000).toFixed(1)} s)` : "";
  return `[${formatElapsed(event.elapsedMs)}] ${mark} ${title}${took}${event.detail ? `: ${event.detail}` : ""}`;
}

// 754_000 ms → "12:34" (minutes right-aligned to two places).
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, " ")}:${String(seconds % 60).padStart(2, "0")}`;
}
