import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build, version as esbuildVersion, type BuildOptions } from "esbuild";
import { writeFileAtomicSync } from "../io/write-file-atomic.ts";
import { projectRoot } from "./render-template.ts";

const cacheDir = join(projectRoot, "node_modules", ".cache", "rtcgw", "programs");

interface CacheEntry {
  inputs: Record<string, string>;
  output: string;
}

const hashFile = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

// Builds one output file with esbuild, reusing the last output while none of its inputs changed (their
// hashes are kept from esbuild's metafile): `rtcgw compile` then does not rebuild the agent, JsSIP and the
// media service on every run. The output is the same either way.
export async function buildWithCache(options: BuildOptions): Promise<string> {
  const key = createHash("sha256")
    .update(`${esbuildVersion}\n${JSON.stringify(options)}`)
    .digest("hex");
  const cacheFile = join(cacheDir, `${key}.json`);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as CacheEntry;
    if (Object.entries(cached.inputs).every(([path, hash]) => hashFile(join(projectRoot, path)) === hash)) return cached.output;
  } catch {
    // no cache entry yet, or an input is gone: build
  }
  const result = await build({ ...options, absWorkingDir: projectRoot, write: false, metafile: true });
  const output = result.outputFiles![0]!.text;
  const inputs = Object.fromEntries(Object.keys(result.metafile!.inputs).map((path) => [path, hashFile(join(projectRoot, path))]));
  try {
    writeFileAtomicSync(cacheFile, JSON.stringify({ inputs, output } satisfies CacheEntry));
  } catch {
    // a read-only install: no cache, the next run builds again
  }
  return output;
}
