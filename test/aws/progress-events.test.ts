// Progress of `rtcgw build-ami --target aws` on the fake cloud: one step model for the build and the publish (io/steps.ts),
// each step started and ended in order, each region's copy, share and parameters reported with its region; under
// --json every event is a JSON line on stderr and stdout holds only the result; as text each region has its own lines.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { createBuildAmiCommand } from "../../cli/commands/aws-build-ami.ts";
import type { CommandIo } from "../../cli/command.ts";
import type { ProgressEvent } from "../../io/steps.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeTempDir } from "../make-temp-dir.ts";

const regions = ["us-east-1", "eu-central-1"];

async function runBuildAmi(t: TestContext, json: boolean) {
  const cloud = createFakeCloud({ regions });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CommandIo = {
    cwd: process.cwd(),
    stdout: (text) => void stdout.push(text),
    stderr: (text) => void stderr.push(text),
    interactive: false,
    signal: new AbortController().signal,
  };
  const journal = join(makeTempDir(t, "rtcgw-progress-"), "journal.json");
  const args = ["recipes/gateway.ts", "--target", "aws", "--builder", "ssm", "--region", "us-east-1", "--journal", journal, ...(json ? ["--json"] : [])];
  const code = await createBuildAmiCommand(() => cloud.ports).run(args, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

// The order in which the steps of one stage (and region) started and ended, e.g. "upload start", "upload done".
function sequence(events: ProgressEvent[], stage: string, region?: string): string[] {
  return events.filter((e) => e.stage === stage && e.region === region && e.state !== "running").map((e) => `${e.step} ${e.state}`);
}

test("--json: the build's and the publish's steps as JSON lines on stderr, in order, each region with its own steps", async (t) => {
  const { code, stdout, stderr } = await runBuildAmi(t, true);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout) as { build: { kind: string }; publish: { kind: string } };
  assert.deepEqual([result.build.kind, result.publish.kind], ["built", "published"]);
  const events = stderr
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as ProgressEvent);
  const buildSteps = ["settle", "base-image", "upload", "iam", "security-group", "launch", "provision", "stop", "create-image", "smoke", "cleanup"];
  assert.deepEqual(
    sequence(events, "build"),
    buildSteps.flatMap((s) => [`${s} start`, `${s} done`]),
  );
  assert.deepEqual(sequence(events, "publish"), ["preflight start", "preflight done", "copies start", "copies done", "artifacts start", "artifacts done"]);
  for (const region of regions)
    assert.deepEqual(
      sequence(events, "publish", region),
      ["copy start", "copy done", "share start", "share done", "parameters start", "parameters done"],
      region,
    );
  const copyWaits = events.filter((e) => e.state === "running" && e.region === "eu-central-1");
  assert.ok(copyWaits.length > 0 && copyWaits.every((e) => /^ami-\w+ (pending|available)$/.test(e.detail ?? "")), JSON.stringify(copyWaits));
  for (const stage of ["build", "publish"]) {
    const elapsed = events.filter((e) => e.stage === stage).map((e) => e.elapsedMs);
    assert.deepEqual(
      elapsed,
      [...elapsed].sort((a, b) => a - b),
      `${stage}: elapsed time never runs backwards`,
    );
  }
});

test("as text: one line per step start and end with elapsed time, and per-region lines while copies run", async (t) => {
  const { code, stderr } = await runBuildAmi(t, false);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /^\[ *\d+:\d\d\] … build provision$/m);
  assert.match(stderr, /^\[ *\d+:\d\d\] ✓ build provision \(\d+\.\d s\)$/m);
  assert.match(stderr, /^\[ *\d+:\d\d\] {3}publish eu-central-1 copy: ami-\w+ pending$/m);
  assert.match(stderr, /^\[ *\d+:\d\d\] ✓ publish eu-central-1 parameters \(\d+\.\d s\)$/m);
  assert.match(stderr, /^\[ *\d+:\d\d\] ✓ publish copies \(\d+\.\d s\): 2\/2 regions published$/m);
});
