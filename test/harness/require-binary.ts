import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

// Finds an executable on PATH (plus the sbin directories) or throws naming the Debian package to
// install: a missing tool fails the test, it never skips it.
export function requireBinary(name: string, debianPackage: string): string {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin"];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next directory
    }
  }
  throw new Error(`\`${name}\` is not installed: run \`apt-get install -y ${debianPackage}\` (Debian package ${debianPackage})`);
}
