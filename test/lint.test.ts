import { test } from "node:test";
import assert from "node:assert/strict";
import { execa } from "execa";
import { projectDir } from "./cli/run-cli.ts";

// The linter's rules (eslint.config.mjs) catch what the type checker does not: a promise nobody awaits, a `==`.
test("ESLint reports no problem in the project", async () => {
  const result = await execa("npx", ["eslint", ".", "--max-warnings", "0", "--no-color"], { cwd: projectDir, reject: false });
  assert.equal(result.exitCode, 0, `npm run lint:\n${String(result.stdout).split("\n").slice(0, 30).join("\n")}${String(result.stderr)}`);
});

// One format for every file Prettier covers (.prettierignore), so that a diff shows changes, never reformatting.
test("every file Prettier covers is formatted (npm run format)", async () => {
  const result = await execa("npx", ["prettier", "--list-different", "."], { cwd: projectDir, reject: false });
  assert.equal(result.exitCode, 0, `not formatted, run npm run format:\n${String(result.stdout).split("\n").slice(0, 20).join("\n")}${String(result.stderr)}`);
});
