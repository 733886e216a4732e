import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { readJournal } from "../../cloud/journal.ts";
import { makeTempDir } from "../make-temp-dir.ts";

// Starts `rtcgw build-ami --target aws` on a fake cloud in a child process, sends SIGINT when stderr shows `trigger`,
// and returns the exit code, the fake cloud's end state and the journal.
async function interruptBuildAmi(t: TestContext, trigger: RegExp) {
  const dir = makeTempDir(t, "rtcgw-cli-");
  const [statePath, journalPath] = [join(dir, "state.json"), join(dir, "journal.json")];
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/aws/fixtures/run-aws-cli.ts",
      statePath,
      "build-ami",
      "recipes/gateway.ts",
      "--target",
      "aws",
      "--builder",
      "ssm",
      "--region",
      "us-east-1",
      "--journal",
      journalPath,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  let sent = false;
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!sent && trigger.test(stderr)) [sent] = [child.kill("SIGINT")];
  });
  child.stdout.resume();
  const exit = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.ok(sent, `the trigger ${trigger} never showed; stderr:\n${stderr}`);
  const state = JSON.parse(readFileSync(statePath, "utf8")) as {
    code: number;
    leftovers: string[];
    images: { region: string; imageId: string; state: string }[];
    parameters: string[];
  };
  return { exit, stderr, state, journal: readJournal(journalPath) };
}

test("SIGINT during provisioning: exit 130, every temporary resource removed, nothing published", async (t) => {
  const { exit, stderr, state, journal } = await interruptBuildAmi(t, /build provision/);
  assert.equal(exit, 130, stderr);
  assert.deepEqual(state.leftovers, []);
  assert.deepEqual(state.images, []);
  assert.deepEqual(state.parameters, []);
  assert.ok(journal && journal.temporary.length > 0 && journal.temporary.every((r) => r.deleted));
  assert.match(stderr, /interrupted at provision/);
});

test("SIGINT during copies: exit 130, copies journaled for --resume, no temporary resource, nothing published where the copy is unfinished", async (t) => {
  const { exit, stderr, state, journal } = await interruptBuildAmi(t, /publish eu-central-1 copy: ami-\w+ pending/);
  assert.equal(exit, 130, stderr);
  assert.deepEqual(state.leftovers, []);
  const copy = state.images.find((i) => i.region === "eu-central-1");
  assert.equal(copy?.state, "pending");
  assert.equal(journal?.regions["eu-central-1"]?.imageId, copy?.imageId);
  assert.equal(
    state.parameters.some((p) => p.startsWith("eu-central-1:")),
    false,
  );
  assert.match(stderr, /publish --resume/);
});

test("build-ami --dry-run prints the build and publish plan and creates nothing", async (t) => {
  const dir = makeTempDir(t, "rtcgw-cli-");
  const statePath = join(dir, "state.json");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "test/aws/fixtures/run-aws-cli.ts",
      statePath,
      "build-ami",
      "--target",
      "aws",
      "--builder",
      "ssm",
      "--region",
      "us-east-1",
      "--journal",
      join(dir, "j.json"),
      "--dry-run",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
  child.stderr.resume();
  const exit = await new Promise<number | null>((resolve) => child.on("close", resolve));
  assert.equal(exit, 0, stdout);
  assert.match(stdout, /build new image|build a new image/);
  assert.match(stdout, /in us-east-1 \(the default VPC vpc-[0-9a-f]+\): build a new image/);
  assert.match(stdout, /us-east-1\s+source/);
  assert.match(stdout, /eu-central-1\s+copy/);
  assert.match(stdout, /s3:\/\/rtcgw-111122223333-us-east-1\/rtcgw\/\* readable by the owner only \(no bucket policy\); staging\/ and logs\/ stay private/);
  const state = JSON.parse(readFileSync(statePath, "utf8"));
  assert.deepEqual([state.leftovers, state.images, state.parameters], [[], [], []]);
});
