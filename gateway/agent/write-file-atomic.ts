import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../../io/write-file-atomic.ts";

/** What a write did: tests and the boot log use it to show that a second boot changes nothing. */
export type WriteOutcome = "created" | "updated" | "unchanged";

// Writes only when the content differs, so an unchanged boot keeps every mtime.
export async function writeFileIfChanged(path: string, content: string, mode = 0o644): Promise<WriteOutcome> {
  const current = await readFile(path, "utf8").catch(() => undefined);
  if (current === content) return "unchanged";
  await writeFileAtomic(path, content, { mode });
  return current === undefined ? "created" : "updated";
}
