import type { Recipe } from "../../dsl/resolve.ts";
import type { GeneratedFile, GeneratedFrom } from "../../gateway/generated-file.ts";

/** The provisioning bundle: the same tree the local builder runs in a chroot and the AWS builder runs through SSM. */
export interface Bundle {
  /** Files by path relative to the bundle root: `provision.sh`, `bundle.json`, `files/etc/...`. */
  files: GeneratedFile[];
  /** sha256 (hex) over every file's path, mode and content except bundle.json, plus the base image. */
  hash: string;
}

// PLACEHOLDER (being written).
export function compileBundle(recipe: Recipe, from: GeneratedFrom, extraFiles: readonly GeneratedFile[] = []): Bundle {
  void recipe;
  void from;
  void extraFiles;
  return { files: [], hash: "" };
}
