import { link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

// Writes a file through a temporary sibling and a rename: readers see the old or the new content, never half.
// With `exclusive`, an existing file is never replaced (EEXIST is thrown).
export async function writeFileAtomically(path: string, content: string, options: { mode?: number; exclusive?: boolean } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.rtcgw-tmp-${process.pid}`;
  try {
    await writeFile(temporary, content, { mode: options.mode ?? 0o644 });
    if (options.exclusive) await link(temporary, path);
    else await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
