import { relative } from "node:path";

// A path as the user would like to read it: relative when under the current directory, else absolute.
export function displayPath(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  if (shown === "") return ".";
  return shown.startsWith("..") ? path : shown;
}
