// Test helper: a fresh temp folder under the OS temp dir, removed with its contents when the test ends.
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

// Creates `<tmpdir>/<prefix>XXXXXX` and registers its removal as an `after` hook of the test `t`.
export function makeTempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
