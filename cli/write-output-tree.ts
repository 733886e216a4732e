import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GeneratedFile } from "../gateway/generated-file.ts";
import { ExitError } from "./errors.ts";

/** The file that marks a directory as rtcgw output (safe to replace). */
export const outputMarker = "bundle.json";

// Writes a whole tree so that it is either the previous output or the new one, never a mix: the
// files go to a temporary sibling, which then replaces the directory. Refuses to replace a
// non-empty directory that is not rtcgw output.
export async function writeOutputTree(dir: string, files: readonly GeneratedFile[]): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, outputMarker))) {
    throw new ExitError(`${dir} exists, is not empty and is not rtcgw output (no ${outputMarker}): choose another --out or empty it`);
  }
  const temporary = `${dir}.rtcgw-tmp-${process.pid}`;
  const previous = `${dir}.rtcgw-old-${process.pid}`;
  await rm(temporary, { recursive: true, force: true });
  try {
    await mkdir(temporary, { recursive: true });
    for (const file of files) {
      const target = join(temporary, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { mode: file.mode ?? 0o644 });
      await chmod(target, file.mode ?? 0o644);
    }
    await mkdir(dirname(dir), { recursive: true });
    if (existsSync(dir)) await rename(dir, previous);
    await rename(temporary, dir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (existsSync(previous) && !existsSync(dir)) await rename(previous, dir);
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
}
