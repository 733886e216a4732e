// The one progress renderer (cli/render-progress.ts): lines with elapsed time for a person, a region's waiting thinned
// out to once a minute unless it changed, and the same events as JSON lines under --json.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgressRenderer } from "../../cli/render-progress.ts";
import type { CommandIo } from "../../cli/command.ts";
import type { ProgressEvent } from "../../io/steps.ts";

function capture(): { io: CommandIo; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    io: { cwd: "/", stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t), interactive: false, signal: new AbortController().signal },
    stdout,
    stderr,
  };
}

const build: ProgressEvent[] = [
  { stage: "build", step: "provision", state: "start", elapsedMs: 12_000 },
  { stage: "build", step: "provision", state: "done", elapsedMs: 100_000, stepMs: 88_000 },
  { stage: "build", step: "smoke", state: "failed", elapsedMs: 754_000, stepMs: 30_500, detail: "smoke test failed on i-1" },
];

test("as text, a step is a line when it starts and one when it ends, with elapsed time, duration and why it failed", () => {
  const { io, stdout, stderr } = capture();
  const render = createProgressRenderer(io, { json: false });
  build.forEach(render);
  assert.deepEqual(stderr, [
    "[ 0:12] … build provision\n",
    "[ 1:40] ✓ build provision (88.0 s)\n",
    "[12:34] ✗ build smoke (30.5 s): smoke test failed on i-1\n",
  ]);
  assert.deepEqual(stdout, []);
});

test("a step with a title prints the title", () => {
  const { io, stderr } = capture();
  createProgressRenderer(io, { json: false, titles: { bootstrap: "Bootstrap Debian 12 with mmdebstrap" } })({
    stage: "build",
    step: "bootstrap",
    state: "done",
    elapsedMs: 61_000,
    stepMs: 60_000,
    detail: "done",
  });
  assert.deepEqual(stderr, ["[ 1:01] ✓ Bootstrap Debian 12 with mmdebstrap (60.0 s): done\n"]);
});

test("each region's copy prints its own lines; an unchanged wait prints again only after a minute", () => {
  const { io, stderr } = capture();
  const render = createProgressRenderer(io, { json: false });
  const copy = (region: string, elapsedMs: number, detail: string): ProgressEvent => ({
    stage: "publish",
    step: "copy",
    state: "running",
    region,
    elapsedMs,
    detail,
  });
  render(copy("eu-west-1", 30_000, "ami-1 pending"));
  render(copy("ap-south-1", 30_000, "ami-2 pending"));
  render(copy("eu-west-1", 60_000, "ami-1 pending"));
  render(copy("eu-west-1", 90_000, "ami-1 pending"));
  render(copy("ap-south-1", 60_000, "ami-2 available"));
  render({ stage: "publish", step: "copy", state: "done", region: "eu-west-1", elapsedMs: 95_000, stepMs: 90_000 });
  assert.deepEqual(stderr, [
    "[ 0:30]   publish eu-west-1 copy: ami-1 pending\n",
    "[ 0:30]   publish ap-south-1 copy: ami-2 pending\n",
    "[ 1:30]   publish eu-west-1 copy: ami-1 pending\n",
    "[ 1:00]   publish ap-south-1 copy: ami-2 available\n",
    "[ 1:35] ✓ publish eu-west-1 copy (90.0 s)\n",
  ]);
});

test("under --json every event is one JSON line on stderr, nothing thinned out, stdout left to the result", () => {
  const { io, stdout, stderr } = capture();
  const render = createProgressRenderer(io, { json: true });
  const events: ProgressEvent[] = [
    ...build,
    { stage: "publish", step: "copy", state: "running", region: "eu-west-1", elapsedMs: 1_000, detail: "ami-1 pending" },
    { stage: "publish", step: "copy", state: "running", region: "eu-west-1", elapsedMs: 2_000, detail: "ami-1 pending" },
  ];
  events.forEach(render);
  assert.deepEqual(
    stderr.map((line) => JSON.parse(line) as ProgressEvent),
    events,
  );
  assert.ok(stderr.every((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n")));
  assert.deepEqual(stdout, []);
});
