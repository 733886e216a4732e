import { createHash } from "node:crypto";
import type { GeneratedFile } from "../../gateway/generated-file.ts";
import { formatMode } from "./bundle-files.ts";

// sha256 (hex) of a file's content.
export function hashContent(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

// The bundle hash: sha256 over the base image id and every file's path, mode and content hash, sorted by
// path so that the order files were produced in does not matter. bundle.json is not among `files`.
export function hashBundle(files: readonly GeneratedFile[], baseImage: string): string {
  const hash = createHash("sha256").update(`rtcgw-bundle/1\nbase ${baseImage}\n`);
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) hash.update(`${file.path}\0${formatMode(file.mode)}\0${hashContent(file.content)}\n`);
  return hash.digest("hex");
}
