// The harness's own process handling: what a test starts is gone after stop(), forks included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProcess } from "../harness/start-process.ts";

// Alive and not a zombie (an orphan killed here waits for PID 1 to reap it).
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

// As a Kamailio whose main process is SIGKILLed after ignoring SIGTERM: its workers used to live on, holding
// the log pipe and with it the test file's process.
test("stop() ends the process and everything it forked, even when the process ignores SIGTERM", { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-start-process-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const proc = startProcess("forker", "/bin/sh", ["-c", "trap '' TERM; sleep 300 & echo $!; wait"], join(dir, "forker.log"));
  const worker = await new Promise<number>((resolve) => proc.child.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  assert.ok(isRunning(worker), "the forked worker runs");
  await proc.stop();
  assert.equal(proc.isAlive(), false);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(isRunning(worker), false, `the forked worker ${worker} outlived stop()`);
});
