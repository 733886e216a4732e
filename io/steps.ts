// The one step model of every long run (local build, AWS build, publish, sweep, retire): a run is named steps, each
// reported as progress events (start, running, done or failed, with the time since the run started) for the CLI to render,
// and a failure is a value naming the step it happened in. No output here: the renderer lives in cli/render-progress.ts.

/** Where a step is. `running` repeats while a long step waits (a region's copy); the renderer may thin those out. */
export type StepState = "start" | "running" | "done" | "failed";

/** One progress event: data for the CLI to render (a line on a terminal, a JSON line under `--json`). */
export interface ProgressEvent {
  /** The run: `build` (AWS or local), `publish`, `sweep`, `retire`. */
  stage: string;
  step: string;
  state: StepState;
  /** Since the run started. */
  elapsedMs: number;
  /** The step's own duration (done or failed). */
  stepMs?: number;
  /** The region a regional step runs in (copies, sweep, retire). */
  region?: string;
  /** A short description of the outcome or the failure. */
  detail?: string;
}

/** Receives a run's progress events. */
export type ProgressListener = (event: ProgressEvent) => void;

/** A failure inside a step: its message and facts for the result (a log tail, the seal violations, …). */
export class StepFailure<Facts extends object = object> extends Error {
  constructor(
    message: string,
    readonly facts?: Facts,
  ) {
    super(message);
  }
}

/** How a run ended in a step: which step, why, whether it was canceled, and the facts a StepFailure carried. */
export interface FailedStep<Step extends string, Facts extends object = object> {
  step: Step;
  message: string;
  canceled: boolean;
  facts?: Facts;
}

/** Runs the named steps of one run and reports them. */
export interface StepRunner<Step extends string> {
  /** Runs `work` as step `id`: a start event, then done with its duration (and `describe(value)` as detail) or failed. */
  run<T>(id: Step, work: () => Promise<T>, describe?: (value: T) => string): Promise<T>;
  /** Reports that the current step still runs (a wait's poll), with what it waits on. */
  running(detail?: string): void;
  /** The step started last (steps may overlap: a run may start one and await it later). */
  readonly current: Step;
  /** The duration of every finished step, in ms. */
  readonly times: Readonly<Partial<Record<Step, number>>>;
  /** Turns what a failed run threw into a value naming the step it failed in. */
  failure<Facts extends object = object>(error: unknown): FailedStep<Step, Facts>;
}

/** What a run's steps report to and how they tell time. */
export interface StepRunnerOptions<Step extends string> {
  stage: string;
  /** The step a failure before the first step is charged to. */
  first: Step;
  now: () => number;
  /** When the run started (for `elapsedMs`). @default now() */
  started?: number;
  region?: string;
  onProgress?: ProgressListener | undefined;
  /** Checked before each step starts. */
  signal?: AbortSignal | undefined;
}

// Makes the step runner of one run (or of one region of it).
export function createStepRunner<Step extends string>(options: StepRunnerOptions<Step>): StepRunner<Step> {
  const { stage, now, region, onProgress, signal } = options;
  const started = options.started ?? now();
  const times: Partial<Record<Step, number>> = {};
  let current = options.first;
  // The first step that failed: with overlapping steps, the one a run's failure is charged to.
  let failed: Step | undefined;
  const emit = (step: Step, state: StepState, extra: { stepMs?: number; detail?: string | undefined } = {}) =>
    onProgress?.({
      stage,
      step,
      state,
      elapsedMs: now() - started,
      ...(extra.stepMs !== undefined ? { stepMs: extra.stepMs } : {}),
      ...(region ? { region } : {}),
      ...(extra.detail ? { detail: extra.detail } : {}),
    });
  return {
    async run(id, work, describe) {
      current = id;
      signal?.throwIfAborted();
      const stepStarted = now();
      emit(id, "start");
      let value;
      try {
        value = await work();
      } catch (error) {
        times[id] = now() - stepStarted;
        failed ??= id;
        emit(id, "failed", { stepMs: times[id], detail: signal?.aborted ? "canceled" : messageOf(error) });
        throw error;
      }
      times[id] = now() - stepStarted;
      emit(id, "done", { stepMs: times[id], detail: describe?.(value) });
      return value;
    },
    running(detail) {
      emit(current, "running", { detail });
    },
    get current() {
      return current;
    },
    times,
    failure<Facts extends object = object>(error: unknown): FailedStep<Step, Facts> {
      const canceled = signal?.aborted === true;
      const facts = error instanceof StepFailure ? (error.facts as Facts | undefined) : undefined;
      return {
        step: failed ?? current,
        message: canceled && !(error instanceof StepFailure) ? "canceled" : messageOf(error),
        canceled,
        ...(facts ? { facts } : {}),
      };
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
