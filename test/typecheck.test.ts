import { test } from "node:test";
import assert from "node:assert/strict";
import { execa } from "execa";
import { projectDir } from "./cli/run-cli.ts";

// Tests run through tsx, which strips types without checking them: this keeps the types honest.
test("the whole project type-checks with the strict tsconfig", async () => {
  const result = await execa("npx", ["tsc", "-p", "tsconfig.json", "--noEmit", "--pretty", "false"], { cwd: projectDir, reject: false });
  assert.equal(result.exitCode, 0, String(result.stdout).split("\n").slice(0, 20).join("\n"));
});
