import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { makeTempDir } from "../make-temp-dir.ts";
import { projectDir, runCli } from "./run-cli.ts";

test("rtcgw check on the default recipe exits 0 and summarises it", async () => {
  const { exitCode, stdout } = await runCli(["check", "recipes/gateway.ts"]);
  assert.equal(exitCode, 0);
  assert.equal(stdout, "recipes/gateway.ts: ok — 1 upstream, 3 dial routes, SIP 5060-5069, WSS 443, RTP 10000-11000 (250 calls), 2 regions");
});

test("a typo'd upstream and an RTP range too small for 400 calls: exit 1, both problems with file:line:col, nothing written", async (t) => {
  const dir = makeTempDir(t, "rtcgw-check-");
  const source = (await readFile(join(projectDir, "recipes/gateway.ts"), "utf8"))
    .replace('"../dsl/index.ts"', JSON.stringify(relative(dir, join(projectDir, "dsl/index.ts"))))
    .replace('upstream: "pbx" }', 'upstream: "pbxx" }')
    .replace('rtp: "10000-11000"', 'rtp: "10000-10100"')
    .replace("parallelCalls: 250", "parallelCalls: 400");
  await writeFile(join(dir, "bad.ts"), source);
  const { exitCode, stderr } = await runCli(["check", "bad.ts"], { cwd: dir });
  assert.equal(exitCode, 1);
  const lines = stderr.trim().split("\n");
  assert.match(lines[0]!, /^bad\.ts:15:7 error gateway\.listen\.rtp: RTP range 10000-10100 holds 25 calls .* use "10000-11599"/);
  assert.match(lines[1]!, /^bad\.ts:21:42 error TS2820: .*"pbxx".*Did you mean '"pbx"'\?$/);
  assert.equal(lines[2], "2 errors");
  assert.deepEqual(await readdir(dir), ["bad.ts"], "check must leave no file behind");
});

test("--json gives the problems as data", async () => {
  const { exitCode, stdout } = await runCli(["check", "test/dsl/fixtures/rtp-capacity.ts", "--json"]);
  assert.equal(exitCode, 1);
  const result = JSON.parse(stdout) as { ok: boolean; problems: { path: string; location: { line: number; column: number } }[] };
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.problems.map((p) => [p.path, p.location.line, p.location.column]),
    [["gateway.listen.rtp", 15, 7]],
  );
});

test("a recipe that does not parse as TypeScript is reported at its line, not as a crash", async (t) => {
  const dir = makeTempDir(t, "rtcgw-check-");
  await writeFile(join(dir, "broken.ts"), 'export default {\n  name: "x",\n  gateway: {\n};\n');
  const { exitCode, stderr } = await runCli(["check", "broken.ts", "--no-typecheck"], { cwd: dir });
  assert.equal(exitCode, 1);
  assert.match(stderr, /^broken\.ts:4:2 error recipe: Expected "}" but found ";"/);
});

test("a missing recipe file is a clear error naming the fix", async () => {
  const { exitCode, stderr } = await runCli(["check", "recipes/nope.ts"]);
  assert.equal(exitCode, 1);
  assert.match(stderr, /cannot read recipe recipes\/nope\.ts: ENOENT; pass an existing file .* `rtcgw init`/);
});

test("check (with the type-checker) and compile (without) point at the same column for the same misspelling", async (t) => {
  const dir = makeTempDir(t, "rtcgw-column-");
  const source = (await readFile(join(projectDir, "recipes/gateway.ts"), "utf8"))
    .replace('"../dsl/index.ts"', JSON.stringify(relative(dir, join(projectDir, "dsl/index.ts"))))
    .replace('upstream: "pbx" }', 'upstream: "pbxx" }');
  await writeFile(join(dir, "typo.ts"), source);
  const checked = await runCli(["check", "typo.ts"], { cwd: dir });
  const compiled = await runCli(["compile", "typo.ts", "--out", "out"], { cwd: dir });
  const where = (stderr: string) => /^typo\.ts:(\d+:\d+) /m.exec(stderr)?.[1];
  assert.equal(where(checked.stderr), "21:42", checked.stderr);
  assert.equal(where(compiled.stderr), "21:42", compiled.stderr);
});
