// A failed build's work directory goes, but what the user is told to read stays: the boot test's serial consoles
// are copied beside the failed log; a later good build of the same artifact removes those leftovers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { discardWorkDir, keepBesideFailedLog, removeFailedLogs } from "../../image/builders/local/work-dir.ts";
import { makeTempDir } from "../make-temp-dir.ts";

test("a failed build keeps its serial consoles beside the failed log, and a good build removes them", (t) => {
  const out = makeTempDir(t, "rtcgw-workdir-");
  const work = join(out, ".tmp-0123456789ab-42");
  mkdirSync(join(work, "boot-test"), { recursive: true });
  writeFileSync(join(work, "build.log"), "the log\n");
  writeFileSync(join(work, "boot-test", "serial-bios.log"), "rcu: stall\n");
  const failedLog = join(out, "rtcgw-0123456789ab.failed.log");

  const kept = keepBesideFailedLog([join(work, "boot-test", "serial-bios.log"), join(work, "boot-test", "serial-uefi.log")], failedLog);
  discardWorkDir(work, join(work, "build.log"), failedLog);
  assert.deepEqual([...kept], [[join(work, "boot-test", "serial-bios.log"), join(out, "rtcgw-0123456789ab.failed-serial-bios.log")]], "only what existed");
  assert.equal(existsSync(work), false);
  assert.equal(readFileSync(join(out, "rtcgw-0123456789ab.failed-serial-bios.log"), "utf8"), "rcu: stall\n");
  assert.equal(readFileSync(failedLog, "utf8"), "the log\n");

  writeFileSync(join(out, "rtcgw-ffffffffffff.failed.log"), "another artifact's\n");
  mkdirSync(join(out, "rtcgw-0123456789ab"));
  removeFailedLogs(join(out, "rtcgw-0123456789ab"));
  assert.deepEqual(readdirSync(out).sort(), ["rtcgw-0123456789ab", "rtcgw-ffffffffffff.failed.log"]);
});
