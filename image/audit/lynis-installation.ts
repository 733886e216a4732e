// The host's Lynis (Debian package `lynis`), which audits the image twice: in its rootfs during the build and
// inside the booted VM during the boot test. The image never carries it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Where the host's Lynis lives. */
export const lynisPaths = { program: "/usr/sbin/lynis", share: "/usr/share/lynis", etc: "/etc/lynis" };

// Each test group's source (include/tests_<group>), by group name.
export function readLynisTestSources(): Record<string, string> {
  const include = join(lynisPaths.share, "include");
  return Object.fromEntries(
    readdirSync(include)
      .filter((name) => name.startsWith("tests_") && !name.includes("."))
      .map((name) => [name.slice("tests_".length), readFileSync(join(include, name), "utf8")]),
  );
}
