// The one atomic file write of rtcgw (journal, manifests, caches, generated output, the appliance's first-boot
// files): a temporary sibling, fsync, rename over the target, fsync of the folder. A reader sees the old or the
// new content, never half of it, and after a crash or power loss the rename is either there or not.
import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { chmod, link, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/** How to write: the file's mode (0644 by default), and `exclusive` to never replace an existing file (EEXIST). */
export interface AtomicWriteOptions {
  mode?: number;
  exclusive?: boolean;
}

// A hidden temporary name beside `path` (same file system, so the rename is atomic), unique per call.
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

// Writes `content` to `path` atomically and durably (see the file's header).
export async function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o644;
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    await writeFile(temporary, content, { mode, flag: "wx" });
    await chmod(temporary, mode);
    const file = await open(temporary, "r");
    await file.sync().finally(() => file.close());
    if (options.exclusive) await link(temporary, path);
    else await rename(temporary, path);
    const dir = await open(folder, "r");
    await dir.sync().finally(() => dir.close());
  } finally {
    await rm(temporary, { force: true });
  }
}

// The same, synchronously: for the journal and for code that must not yield between reading and writing.
export function writeFileAtomicSync(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const mode = options.mode ?? 0o644;
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  const temporary = temporaryPathFor(path);
  try {
    writeFileSync(temporary, content, { mode, flag: "wx" });
    chmodSync(temporary, mode);
    syncPath(temporary);
    if (options.exclusive) linkSync(temporary, path);
    else renameSync(temporary, path);
    syncPath(folder);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
