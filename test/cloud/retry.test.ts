import assert from "node:assert/strict";
import { test } from "node:test";
import { CloudError } from "../../cloud/ports.ts";
import { bindRetry } from "../../cloud/retry.ts";
import { createVirtualClock } from "../fakes/aws/virtual-clock.ts";

// Fails with each of `codes` in turn, then answers "ok"; counts its calls.
function failingWith(...codes: string[]) {
  const calls = { count: 0 };
  const fn = async () => {
    const code = codes[calls.count++];
    if (code) throw new CloudError(code, `${code} on call ${calls.count}`);
    return "ok";
  };
  return { fn, calls };
}

test("the run's bound retry backs off on the run's clock: 0.5 s, then 1 s of virtual time", async () => {
  const clock = createVirtualClock();
  const withRetry = bindRetry({ clock, signal: new AbortController().signal });
  const { fn, calls } = failingWith("Throttling", "RequestLimitExceeded");
  assert.equal(await withRetry(fn), "ok");
  assert.equal(calls.count, 3);
  assert.equal(clock.elapsed(), 1_500);
});

test("the run's bound retry stops at once when the run is aborted, mid-backoff, with the abort's reason", async () => {
  const clock = createVirtualClock();
  const run = new AbortController();
  const withRetry = bindRetry({ clock, signal: run.signal });
  const calls = { count: 0 };
  const throttled = async (): Promise<string> => {
    calls.count++;
    // Aborts while the retry sleeps its 2 s backoff (the virtual clock moves only after two idle rounds).
    if (calls.count === 3) setImmediate(() => run.abort(new Error("interrupted")));
    throw new CloudError("Throttling", "slow down");
  };
  await assert.rejects(withRetry(throttled), /interrupted/);
  assert.equal(calls.count, 3, "no attempt after the abort");
  assert.equal(clock.elapsed(), 1_500, "the 2 s backoff after the third attempt was cut short");
});

test("one call's overrides add to the run's binding: its own retry codes and budget, the run's clock and signal", async () => {
  const clock = createVirtualClock();
  const withRetry = bindRetry({ clock, signal: new AbortController().signal });
  const eventual = failingWith("InvalidAMIID.NotFound");
  await assert.rejects(withRetry(eventual.fn), /InvalidAMIID\.NotFound/, "not retried without the override");
  assert.equal(eventual.calls.count, 1);
  const overridden = failingWith("InvalidAMIID.NotFound", "InvalidAMIID.NotFound");
  assert.equal(await withRetry(overridden.fn, { retryCodes: ["InvalidAMIID.NotFound"] }), "ok");
  const budgeted = failingWith("Throttling", "Throttling", "Throttling");
  await assert.rejects(withRetry(budgeted.fn, { budgetMs: 1_000 }), /Throttling on call 2/, "the second backoff would end past the 1 s budget");
});
