import type { Recipe } from "../../dsl/resolve.ts";
import type { GeneratedFile } from "../../gateway/generated-file.ts";

/** Where the image's files live inside the bundle. */
export const filesRoot = "files";

// An image file (path without the leading `/`) at its place in the bundle: `files/<path>`.
export function placeInBundle(file: GeneratedFile): GeneratedFile {
  return { ...file, path: `${filesRoot}/${file.path.replace(/^\/+/, "")}` };
}

// The recipe's own extra files, verbatim (no header: the user owns their content).
export function listRecipeImageFiles(recipe: Recipe): GeneratedFile[] {
  return recipe.image.files.map((file) => ({ path: file.path.replace(/^\/+/, ""), content: file.content, mode: Number.parseInt(file.mode, 8) }));
}

// Fails on two files with the same bundle path: one would silently replace the other.
export function assertUniquePaths(files: readonly GeneratedFile[]): void {
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path))
      throw new Error(`two files in the bundle have the path \`${file.path}\`: rename one (image.files or an extra file collides with a generated one)`);
    seen.add(file.path);
  }
}

const unitDirectories = ["etc/systemd/system/", "lib/systemd/system/", "usr/lib/systemd/system/"];
const unitSuffix = /\.(service|socket|timer|path)$/;

// Unit files shipped in the bundle that ask to be enabled (an [Install] section), by unit name.
export function listShippedUnitsToEnable(files: readonly GeneratedFile[]): string[] {
  return files
    .filter((file) => file.path.startsWith(`${filesRoot}/`))
    .map((file) => ({ file, inner: file.path.slice(filesRoot.length + 1) }))
    .filter(({ inner }) => unitDirectories.some((dir) => inner.startsWith(dir) && !inner.slice(dir.length).includes("/")))
    .filter(({ inner, file }) => unitSuffix.test(inner) && /^\[Install\]\s*$/m.test(file.content))
    .map(({ inner }) => inner.slice(inner.lastIndexOf("/") + 1));
}

// The octal mode as provision.sh and bundle.json write it: `0644`.
export function formatMode(mode: number | undefined): string {
  return (mode ?? 0o644).toString(8).padStart(4, "0");
}
