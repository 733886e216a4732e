// The one step model (io/steps.ts): each step reports start and end with its duration, a failure names its step and
// carries the facts its StepFailure gave, and an aborted run stops before its next step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createStepRunner, StepFailure, type ProgressEvent } from "../../io/steps.ts";

// A clock that moves only when told.
function manualClock() {
  let ms = 1_000;
  return { now: () => ms, advance: (by: number) => void (ms += by) };
}

test("a step reports start, then done with its own duration, the time since the run began and the detail", async () => {
  const clock = manualClock();
  const events: ProgressEvent[] = [];
  const steps = createStepRunner<"one" | "two">({ stage: "build", first: "one", now: clock.now, onProgress: (e) => events.push(e) });
  clock.advance(500);
  await steps.run("one", async () => clock.advance(2_000));
  const value = await steps.run(
    "two",
    async () => {
      clock.advance(3_000);
      return 42;
    },
    (v) => `got ${v}`,
  );
  assert.equal(value, 42);
  assert.deepEqual(events, [
    { stage: "build", step: "one", state: "start", elapsedMs: 500 },
    { stage: "build", step: "one", state: "done", elapsedMs: 2_500, stepMs: 2_000 },
    { stage: "build", step: "two", state: "start", elapsedMs: 2_500 },
    { stage: "build", step: "two", state: "done", elapsedMs: 5_500, stepMs: 3_000, detail: "got 42" },
  ]);
  assert.deepEqual(steps.times, { one: 2_000, two: 3_000 });
});

test("a regional runner puts its region on every event, and running reports what the step waits on", async () => {
  const clock = manualClock();
  const events: ProgressEvent[] = [];
  const steps = createStepRunner<"copy">({
    stage: "publish",
    first: "copy",
    region: "eu-west-1",
    now: clock.now,
    started: 0,
    onProgress: (e) => events.push(e),
  });
  await steps.run("copy", async () => steps.running("ami-1 pending"));
  assert.deepEqual(
    events.map((e) => [e.region, e.state, e.elapsedMs, e.detail]),
    [
      ["eu-west-1", "start", 1_000, undefined],
      ["eu-west-1", "running", 1_000, "ami-1 pending"],
      ["eu-west-1", "done", 1_000, undefined],
    ],
  );
});

test("a failure is reported as failed and turned into a value naming the step, with the facts of its StepFailure", async () => {
  const events: ProgressEvent[] = [];
  const steps = createStepRunner<"upload" | "provision">({ stage: "build", first: "upload", now: () => 0, onProgress: (e) => events.push(e) });
  await steps.run("upload", async () => undefined);
  const error = await steps
    .run("provision", async () => {
      throw new StepFailure<{ logTail: string }>("provision.sh failed on i-1", { logTail: "E: no space left" });
    })
    .catch((e: unknown) => e);
  assert.deepEqual(steps.failure<{ logTail: string }>(error), {
    step: "provision",
    message: "provision.sh failed on i-1",
    canceled: false,
    facts: { logTail: "E: no space left" },
  });
  assert.deepEqual(events.at(-1), { stage: "build", step: "provision", state: "failed", elapsedMs: 0, stepMs: 0, detail: "provision.sh failed on i-1" });
});

test("a failure before the first step is charged to the first step; any error's message is kept", () => {
  const steps = createStepRunner<"settle" | "upload">({ stage: "build", first: "settle", now: () => 0 });
  assert.deepEqual(steps.failure(new Error("no credentials")), { step: "settle", message: "no credentials", canceled: false });
});

test("an aborted run starts no further step and says it was canceled", async () => {
  const controller = new AbortController();
  const steps = createStepRunner<"bootstrap" | "provision">({ stage: "build", first: "bootstrap", now: () => 0, signal: controller.signal });
  let provisioned = false;
  await steps.run("bootstrap", async () => controller.abort(new Error("Ctrl-C")));
  const error = await steps.run("provision", async () => void (provisioned = true)).catch((e: unknown) => e);
  assert.equal(provisioned, false);
  assert.deepEqual(steps.failure(error), { step: "provision", message: "canceled", canceled: true });
});

test("overlapping steps report under their own names, each with its own duration, and a failure is charged to the step that failed first", async () => {
  const events: ProgressEvent[] = [];
  let time = 0;
  const steps = createStepRunner<"audit" | "boot" | "package">({
    stage: "build",
    first: "audit",
    now: () => time,
    started: 0,
    onProgress: (e) => events.push(e),
  });
  let failAudit!: (error: Error) => void;
  const audit = steps.run("audit", () => new Promise<never>((_, reject) => (failAudit = reject)));
  audit.catch(() => undefined);
  time = 5_000;
  const boot = steps.run("boot", async () => {
    time = 7_000;
    failAudit(new StepFailure("Lynis wrote no report"));
    await audit.catch(() => undefined);
    time = 9_000;
    return "booted";
  });
  assert.equal(await boot, "booted");
  const error = await steps.run("package", () => audit).catch((e: unknown) => e);
  assert.equal(steps.failure(error).step, "audit");
  assert.deepEqual(
    events.map((e) => [e.step, e.state, e.elapsedMs, e.stepMs]),
    [
      ["audit", "start", 0, undefined],
      ["boot", "start", 5_000, undefined],
      ["audit", "failed", 7_000, 7_000],
      ["boot", "done", 9_000, 4_000],
      ["package", "start", 9_000, undefined],
      ["package", "failed", 9_000, 0],
    ],
  );
});
