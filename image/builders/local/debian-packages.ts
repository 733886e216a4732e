// The Debian packages rtcgw needs on the machine it runs on, from their one home: debian-packages.txt at
// the package root ([build]: what build-ami runs; [test]: what only the tests need). .ci/run reads the
// same file; here build-ami finds the missing ones and installs them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { projectRoot } from "../../../gateway/render-template.ts";

/** The list's sections. */
export interface DebianPackageList {
  build: string[];
  test: string[];
}

/** Where the list lives (shipped in the npm package). */
export const debianPackageListPath = join(projectRoot, "debian-packages.txt");

// Parses the list: `[build]` / `[test]` headers, one package per line, `#` comments.
export function parseDebianPackageList(text: string): DebianPackageList {
  const list: DebianPackageList = { build: [], test: [] };
  let section: keyof DebianPackageList | undefined;
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      if (header[1] !== "build" && header[1] !== "test")
        throw new Error(`debian-packages.txt:${index + 1}: unknown section [${header[1]}]: use [build] or [test]`);
      section = header[1];
    } else if (!section) throw new Error(`debian-packages.txt:${index + 1}: "${line}" comes before any [build] or [test] section`);
    else if (!/^[a-z0-9][a-z0-9+.-]+$/.test(line)) throw new Error(`debian-packages.txt:${index + 1}: "${line}" is not a Debian package name`);
    else list[section].push(line);
  }
  return list;
}

// The packages of the list file.
export function readDebianPackageList(): DebianPackageList {
  return parseDebianPackageList(readFileSync(debianPackageListPath, "utf8"));
}

// Which of `packages` dpkg does not report as installed (all of them where there is no dpkg).
export async function findMissingDebianPackages(packages: readonly string[]): Promise<string[]> {
  if (packages.length === 0) return [];
  const result = await execa("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...packages], { reject: false });
  if (result.failed && result.exitCode === undefined) return [...packages];
  const installed = new Set(
    String(result.stdout)
      .split("\n")
      .map((line) => line.split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name!.replace(/:.*/, "")),
  );
  return packages.filter((name) => !installed.has(name));
}

/** The command line that installs packages, as a user would type it. */
export function renderAptInstallCommand(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

// Installs `packages` with apt-get (as root), reporting apt's output line by line.
export async function installDebianPackages(packages: readonly string[], options: { onOutput(line: string): void; signal?: AbortSignal }): Promise<void> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", ...packages]]) {
    const run = execa("apt-get", args, { env, all: true, reject: false, stdin: "ignore", ...(options.signal ? { cancelSignal: options.signal } : {}) });
    for await (const line of run.iterable({ from: "all" })) options.onOutput(line);
    const result = await run;
    if (result.exitCode !== 0)
      throw new Error(
        `\`apt-get ${args.at(0) === "update" ? "update" : renderAptInstallCommand(packages).slice("apt-get ".length)}\` failed (exit ${result.exitCode ?? result.signal})`,
      );
  }
}
