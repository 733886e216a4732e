import { findProgram } from "../../image/builders/local/check-prerequisites.ts";

// Finds an executable on PATH (plus the sbin directories) or throws naming the Debian package to
// install: a missing tool fails the test, it never skips it.
export function requireBinary(name: string, debianPackage: string): string {
  const path = findProgram(name);
  if (path) return path;
  throw new Error(`\`${name}\` is not installed: run \`apt-get install -y ${debianPackage}\` (Debian package ${debianPackage})`);
}
