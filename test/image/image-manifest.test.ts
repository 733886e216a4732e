// A good artifact is reused only when its manifest has this schema: one from before the VM audit (schema 2, no
// combined Lynis verdict) is rebuilt, never read as if it had one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { artifactFiles, manifestSchema, readGoodManifest, writeManifest, type LocalImageManifest } from "../../image/builders/local/image-manifest.ts";

test("a good manifest of this schema is reused; one of the schema before the VM audit is not", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-manifest-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, artifactFiles.disk), "disk");
  const manifest = { schema: manifestSchema, good: true, bundleHash: "b1", disk: { compressedBytes: 4 } } as unknown as LocalImageManifest;
  writeManifest(dir, manifest);
  assert.equal(readGoodManifest(dir, "b1")?.schema, "rtcgw.local-image/3");
  assert.equal(readGoodManifest(dir, "b2"), undefined, "another bundle");
  writeManifest(dir, { ...manifest, schema: "rtcgw.local-image/2" } as unknown as LocalImageManifest);
  assert.equal(readGoodManifest(dir, "b1"), undefined, "schema 2 has no Lynis verdict from inside the VM");
});
