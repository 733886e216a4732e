import { mkdir, readFile, rename, writeFile, chmod, rm } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { randomBytes } from "node:crypto";

/** What a write did: tests and the boot log use it to show that a second boot changes nothing. */
export type WriteOutcome = "created" | "updated" | "unchanged";

// Writes through a temp file in the same directory and renames it over the target, so a crash
// never leaves a half-written file that Kamailio or sshd would read.
export async function writeFileAtomic(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, content, { mode, flag: "wx" });
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

// Writes only when the content differs, so an unchanged boot keeps every mtime.
export async function writeFileIfChanged(path: string, content: string, mode = 0o644): Promise<WriteOutcome> {
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current === content) return "unchanged";
  await writeFileAtomic(path, content, mode);
  return current === undefined ? "created" : "updated";
}
