// A build's tools die with the build: killed with SIGKILL (no chance to clean up), the builder's process takes the
// command it runs along, so no orphan keeps writing into a work directory the next build sweeps away.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "rtcgw-killable-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

// A builder stand-in: runs `sleep` through runKillable (optionally niced) and prints the pid of the sleep once it runs.
async function startBuilder(niceness: number): Promise<{ builder: ReturnType<typeof spawn>; sleepPid: number }> {
  const runKillable = new URL("../../image/builders/local/run-killable.ts", import.meta.url).pathname;
  const script = `
    import { runKillable } from ${JSON.stringify(runKillable)};
    import { execSync } from "node:child_process";
    const log = { path: ${JSON.stringify(join(dir, `log-${niceness}`))}, note() {} };
    void runKillable(["sleep", "300"], { log, niceness: ${niceness} });
    const timer = setInterval(() => {
      const pid = execSync("pgrep -P " + process.pid + " -x sleep || true").toString().trim();
      if (pid) { console.log(pid); clearInterval(timer); }
    }, 50);`;
  const builder = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const sleepPid = await new Promise<number>((resolve, reject) => {
    builder.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    builder.once("exit", (code) => reject(new Error(`the builder stand-in exited (${code}) before its command ran`)));
  });
  return { builder, sleepPid };
}

for (const niceness of [0, 10]) {
  test(`kill -9 of the builder kills the command it runs (nice ${niceness})`, async () => {
    const { builder, sleepPid } = await startBuilder(niceness);
    assert.ok(sleepPid > 0 && isAlive(sleepPid), "the command runs");
    if (niceness) assert.equal(Number(readFileSync(`/proc/${sleepPid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]), niceness);
    builder.kill("SIGKILL");
    for (let i = 0; i < 100 && isAlive(sleepPid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(isAlive(sleepPid), false, `sleep (pid ${sleepPid}) outlived its builder`);
  });
}
