// Shared fixtures of the AWS tests: a recipe, a bundle and a temp journal path.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openJournal, type JournalFile } from "../../cloud/journal.ts";
import { parseRecipe } from "../../dsl/parse.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import type { Bundle } from "../../image/bundle/compile-bundle.ts";
import gateway from "../../recipes/gateway.ts";

// The default recipe with some fields replaced.
export function makeRecipe(
  overrides: { regions?: string[] | "all-enabled"; publish?: Record<string, unknown>; image?: Record<string, unknown>; gateway?: Record<string, unknown> } = {},
): Recipe {
  const base = gateway as unknown as Record<string, Record<string, unknown>>;
  const value = {
    ...base,
    ...(overrides.regions ? { regions: overrides.regions } : {}),
    gateway: { ...base.gateway, ...overrides.gateway },
    publish: { ...base.publish, ...overrides.publish },
    image: { ...base.image, ...overrides.image },
  };
  const parsed = parseRecipe(value);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return parsed.recipe;
}

/** A small bundle standing in for compileBundle's output. */
export const testBundle: Bundle = {
  files: [
    { path: "provision.sh", content: "#!/bin/sh\nset -eu\necho provisioning\n", mode: 0o755 },
    { path: "bundle.json", content: '{"recipe":"rtcgw"}\n' },
    { path: "files/etc/rtcgw/marker", content: "built by the test\n" },
  ],
  hash: "",
};

// One temp folder per test process, removed when the process exits.
let journalsDir: string | undefined;

// A fresh journal path in its own folder under the process's temp folder.
export function tempJournalPath(): string {
  if (!journalsDir) {
    const dir = mkdtempSync(join(tmpdir(), "rtcgw-aws-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    journalsDir = dir;
  }
  return join(mkdtempSync(join(journalsDir, "journal-")), "journal.json");
}

// A fresh journal of one build in `region`, for tests that drive an upload or registration without a whole build.
export function openTestJournal(region: string, buildId = "b1"): { journal: JournalFile; journalPath: string } {
  const journalPath = tempJournalPath();
  const journal = openJournal(journalPath, {
    version: 1,
    buildId,
    recipe: "gateway",
    recipeVersion: "1",
    amiName: "gw",
    sourceRegion: region,
    temporary: [],
    regions: {},
  });
  return { journal, journalPath };
}
