import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRecipe } from "../../dsl/parse.ts";
import { assembleBundle } from "../../image/assemble-bundle.ts";
import gateway from "../../recipes/gateway.ts";
import type { GeneratedFile } from "../../gateway/generated-file.ts";

// Golden files: the default recipe's compiled output, reviewed like code. After a deliberate change,
// refresh them with  RTCGW_UPDATE_GOLDEN=1 npm test -- golden  and read the diff. The programs built
// from gateway/ sources (agent, media service, /tryit/ assets) are listed but not kept: their bytes
// follow the code and its dependencies, which their own tests cover; bundle.json is kept with their
// sizes and hashes (and so the bundle hash) blanked.
const goldenDir = join(dirname(fileURLToPath(import.meta.url)), "default");
const update = process.env.RTCGW_UPDATE_GOLDEN === "1";

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map(async (e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)])));
  return nested.flat();
}

const builtPrograms = /^files\/usr\/lib\/rtcgw\//;
const builtPlaceholder = "(built from gateway/ sources: not kept in the golden copy)\n";

function goldenContent(file: GeneratedFile): string {
  if (builtPrograms.test(file.path)) return builtPlaceholder;
  if (file.path !== "bundle.json") return file.content;
  const manifest = JSON.parse(file.content) as { hash: string; files: { path: string; size: number; sha256: string }[] };
  manifest.hash = "(depends on built programs)";
  for (const entry of manifest.files) if (builtPrograms.test(entry.path)) Object.assign(entry, { size: 0, sha256: "(built)" });
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

test("the default recipe compiles to exactly the golden files", async () => {
  const parsed = parseRecipe(gateway);
  assert.ok(parsed.ok);
  const bundle = await assembleBundle(parsed.recipe, "recipes/gateway.ts");
  if (update) {
    await rm(goldenDir, { recursive: true, force: true });
    for (const file of bundle.files) {
      await mkdir(dirname(join(goldenDir, file.path)), { recursive: true });
      await writeFile(join(goldenDir, file.path), goldenContent(file));
    }
  }
  const golden = (await listFiles(goldenDir)).map((f) => relative(goldenDir, f)).sort();
  assert.deepEqual(bundle.files.map((f) => f.path).sort(), golden, "the set of files changed: refresh with RTCGW_UPDATE_GOLDEN=1 if deliberate");
  for (const file of bundle.files) {
    assert.equal(goldenContent(file), await readFile(join(goldenDir, file.path), "utf8"), `${file.path} differs from its golden copy: refresh with RTCGW_UPDATE_GOLDEN=1 if deliberate`);
  }
});
