// Lynis's kernel tests (KRNL-6000) read the build host's live sysctls, so the audit skips them and
// checks the image's /etc/sysctl.d instead, against the same expectations (Lynis's default profile).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One expected sysctl value and what the image sets. */
export interface SysctlMismatch {
  key: string;
  expected: string[];
  /** undefined: the image leaves the kernel default. */
  actual?: string;
  description: string;
}

/** Lynis's expectation for one key. */
export interface SysctlExpectation {
  key: string;
  expected: string[];
  description: string;
}

// `config-data=sysctl;KEY;VALUE[|VALUE];…;DESCRIPTION;…` lines of a Lynis profile.
export function parseSysctlExpectations(profile: string): SysctlExpectation[] {
  return profile
    .split("\n")
    .filter((line) => line.startsWith("config-data=sysctl;"))
    .map((line) => line.slice("config-data=".length).split(";"))
    .map(([, key = "", value = "", , description = ""]) => ({ key, expected: value.split("|"), description }));
}

// The settings of sysctl.d files (later files and lines win; `-` prefixes dropped).
export function parseSysctlFiles(contents: readonly string[]): Map<string, string> {
  const settings = new Map<string, string>();
  for (const content of contents) {
    for (const raw of content.split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      settings.set(line.slice(0, eq).trim().replace(/^-/, "").replace(/\//g, "."), line.slice(eq + 1).trim());
    }
  }
  return settings;
}

// Expectations the image's settings miss, for keys `applies` accepts (those a Linux kernel has).
export function compareSysctl(
  settings: ReadonlyMap<string, string>,
  expectations: readonly SysctlExpectation[],
  applies: (key: string) => boolean,
): SysctlMismatch[] {
  return expectations
    .filter((e) => applies(e.key))
    .filter((e) => !e.expected.includes(settings.get(e.key) ?? "\0"))
    .map((e) => ({ key: e.key, expected: e.expected, ...(settings.has(e.key) ? { actual: settings.get(e.key)! } : {}), description: e.description }));
}

// Reads the image's sysctl.d (in systemd-sysctl's order) and Lynis's default profile; keys a Linux
// kernel has are those under the build host's /proc/sys.
export function checkSysctlStatically(rootDir: string, lynisProfile = "/etc/lynis/default.prf"): SysctlMismatch[] {
  const dirs = ["usr/lib/sysctl.d", "run/sysctl.d", "etc/sysctl.d"];
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    const path = join(rootDir, dir);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path).filter((n) => n.endsWith(".conf"))) byName.set(name, join(path, name));
  }
  const files = [...byName.keys()].sort().map((name) => readFileSync(byName.get(name)!, "utf8"));
  if (existsSync(join(rootDir, "etc/sysctl.conf"))) files.push(readFileSync(join(rootDir, "etc/sysctl.conf"), "utf8"));
  const expectations = parseSysctlExpectations(readFileSync(lynisProfile, "utf8"));
  return compareSysctl(parseSysctlFiles(files), expectations, (key) => existsSync(join("/proc/sys", ...key.split("."))));
}
