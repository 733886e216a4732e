import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";

/** A file served as is. */
export interface StaticAsset {
  body: Buffer;
  contentType: string;
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

// Reads a directory's regular files (not subdirectories) into memory once, keyed by file name. Requests are
// answered by exact name lookup, never by joining a request path to a directory: no traversal is possible.
export async function loadStaticAssets(directory: string): Promise<Map<string, StaticAsset>> {
  const assets = new Map<string, StaticAsset>();
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const type = contentTypes[extname(entry.name)];
    if (!entry.isFile() || !type) continue;
    assets.set(entry.name, { body: await readFile(join(directory, entry.name)), contentType: type });
  }
  return assets;
}
