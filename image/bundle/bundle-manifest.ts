import type { GeneratedFile } from "../../gateway/generated-file.ts";
import { formatMode } from "./bundle-files.ts";
import { hashContent } from "./bundle-hash.ts";

/** bundle.json: what the bundle installs and the hash that names the build. */
export interface BundleManifest {
  generatedBy: string;
  name: string;
  version: string;
  base: string;
  hardening: string;
  packages: string[];
  files: { path: string; mode: string; size: number; sha256: string }[];
  hash: string;
}

// The manifest for a bundle's files (bundle.json itself excluded), sorted by path.
export function buildBundleManifest(fields: Omit<BundleManifest, "files">, files: readonly GeneratedFile[]): BundleManifest {
  const listed = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => ({ path: file.path, mode: formatMode(file.mode), size: Buffer.byteLength(file.content, "utf8"), sha256: hashContent(file.content) }));
  return { ...fields, files: listed };
}

// bundle.json's text: stable key order, two-space indent, final newline.
export function renderBundleManifest(manifest: BundleManifest): string {
  const { generatedBy, name, version, base, hardening, packages, hash, files } = manifest;
  return `${JSON.stringify({ generatedBy, name, version, base, hardening, hash, packages, files }, null, 2)}\n`;
}
