// The Debian packages rtcgw needs on the machine it runs on, from their one home: debian-packages.txt at
// the package root ([build]: what build-ami runs; [test]: what only the tests need). .ci/run reads the
// same file; here build-ami finds the missing (or too old) ones and installs them. A line may ask for a
// minimum version and name the backports suite that has it on an older release:
//   qemu-system-x86 >= 1:10.0 from bookworm-backports
// On Debian 12 (bookworm) that package is installed from bookworm-backports (added to apt's sources when
// missing, which installs nothing else from there: backports are pinned low); elsewhere from the release itself.
import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { projectRoot } from "../../../gateway/render-template.ts";

/** One package of the list. */
export interface DebianPackage {
  name: string;
  /** The oldest version that will do (Debian version order). */
  minimumVersion?: string;
  /** The backports suite that has `minimumVersion` for an older release, e.g. "bookworm-backports". */
  backports?: string;
}

/** The list's sections. */
export interface DebianPackageList {
  build: DebianPackage[];
  test: DebianPackage[];
}

/** A package to install: not installed, or older than its minimum (`installed` then says which version is). */
export interface MissingPackage extends DebianPackage {
  installed?: string;
}

/** Where the list lives (shipped in the npm package). */
export const debianPackageListPath = join(projectRoot, "debian-packages.txt");

const linePattern = /^([a-z0-9][a-z0-9+.-]+)(?:\s+>=\s*([0-9][A-Za-z0-9.+~:-]*))?(?:\s+from\s+([a-z]+-backports))?$/;

// Parses the list: `[build]` / `[test]` headers, one package per line (`name`, `name >= version`,
// `name >= version from <release>-backports`), `#` comments.
export function parseDebianPackageList(text: string): DebianPackageList {
  const list: DebianPackageList = { build: [], test: [] };
  let section: keyof DebianPackageList | undefined;
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const at = `debian-packages.txt:${index + 1}`;
    const header = /^\[(\w+)\]$/.exec(line);
    const entry = linePattern.exec(line);
    if (header) {
      if (header[1] !== "build" && header[1] !== "test") throw new Error(`${at}: unknown section [${header[1]}]: use [build] or [test]`);
      section = header[1];
    } else if (!section) throw new Error(`${at}: "${line}" comes before any [build] or [test] section`);
    else if (!entry) throw new Error(`${at}: "${line}" is not a Debian package name (optionally \`>= VERSION\` and \`from RELEASE-backports\`)`);
    else if (entry[3] && !entry[2]) throw new Error(`${at}: "${line}" names a backports suite without a minimum version (\`>= VERSION from ${entry[3]}\`)`);
    else list[section].push({ name: entry[1]!, ...(entry[2] ? { minimumVersion: entry[2] } : {}), ...(entry[3] ? { backports: entry[3] } : {}) });
  }
  return list;
}

// The packages of the list file.
export function readDebianPackageList(): DebianPackageList {
  return parseDebianPackageList(readFileSync(debianPackageListPath, "utf8"));
}

/** This machine's Debian release code name (`bookworm`), from /etc/os-release; "" when it says none. */
export function readHostCodename(osRelease = "/etc/os-release"): string {
  try {
    return /^VERSION_CODENAME=["']?([a-z]*)/m.exec(readFileSync(osRelease, "utf8"))?.[1] ?? "";
  } catch {
    return "";
  }
}

// The backports suite a package comes from on release `codename`, if any (bookworm-backports on bookworm only).
export function backportsSuiteFor(pkg: DebianPackage, codename: string): string | undefined {
  return pkg.backports && codename !== "" && pkg.backports === `${codename}-backports` ? pkg.backports : undefined;
}

// Which of `packages` dpkg does not report as installed, or reports older than their minimum version
// (all of them where there is no dpkg).
export async function findMissingDebianPackages(packages: readonly DebianPackage[]): Promise<MissingPackage[]> {
  if (packages.length === 0) return [];
  const result = await execa("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status} ${Version}\\n", ...packages.map((p) => p.name)], { reject: false });
  if (result.failed && result.exitCode === undefined) return [...packages];
  const installed = new Map(
    String(result.stdout)
      .split("\n")
      .map((line) => line.split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name, , version]) => [name!.replace(/:.*/, ""), version ?? ""]),
  );
  const missing: MissingPackage[] = [];
  for (const pkg of packages) {
    const version = installed.get(pkg.name);
    if (version === undefined) missing.push(pkg);
    else if (pkg.minimumVersion && !(await isAtLeast(version, pkg.minimumVersion))) missing.push({ ...pkg, installed: version });
  }
  return missing;
}

// Debian's version order, as dpkg itself compares.
async function isAtLeast(version: string, minimum: string): Promise<boolean> {
  return (await execa("dpkg", ["--compare-versions", version, "ge", minimum], { reject: false })).exitCode === 0;
}

// A missing package as a user reads it: its name, or why the installed one will not do.
export function describeMissingPackage(pkg: MissingPackage): string {
  return pkg.installed === undefined ? pkg.name : `${pkg.name} (${pkg.installed} installed, at least ${pkg.minimumVersion} needed)`;
}

// apt-get install's package arguments on release `codename`: NAME, or NAME/SUITE for one from backports there.
function aptInstallArguments(packages: readonly DebianPackage[], codename: string): string[] {
  return packages.map((pkg) => {
    const suite = backportsSuiteFor(pkg, codename);
    return suite ? `${pkg.name}/${suite}` : pkg.name;
  });
}

/** The command line that installs packages on release `codename`, as a user would type it. */
export function renderAptInstallCommand(packages: readonly DebianPackage[], codename: string): string {
  return `apt-get install -y --no-install-recommends ${aptInstallArguments(packages, codename).join(" ")}`;
}

// The backports suites `packages` come from on release `codename`, each once.
function backportsSuitesNeeded(packages: readonly DebianPackage[], codename: string): string[] {
  return [...new Set(packages.map((pkg) => backportsSuiteFor(pkg, codename)).filter((s): s is string => s !== undefined))];
}

// What a user must do first for `packages` on release `codename`: add the backports suites they come from.
export function describeAptSourcesNeeded(packages: readonly DebianPackage[], codename: string): string | undefined {
  const suites = backportsSuitesNeeded(packages, codename);
  return suites.length === 0 ? undefined : `${suites.join(" and ")} among apt's sources (https://backports.debian.org/Instructions/)`;
}

// The Debian mirror this machine's sources use for `codename` itself (the backports suite is added there),
// from one-line (.list) and deb822 (.sources) files; deb.debian.org when none says.
export function findDebianMirror(sourceFiles: readonly string[], codename: string): string {
  for (const text of sourceFiles) {
    for (const line of text.split("\n")) {
      const words = line
        .replace(/#.*/, "")
        .replace(/\[[^\]]*\]/, "")
        .trim()
        .split(/\s+/);
      if (words[0] === "deb" && words[2] === codename && words[1]) return words[1];
    }
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      if (field("Types").includes("deb") && field("Suites").includes(codename) && field("URIs")[0]) return field("URIs")[0]!;
    }
  }
  return "http://deb.debian.org/debian";
}

// apt's source files' texts.
function readAptSourceFiles(etcApt: string): string[] {
  const dir = join(etcApt, "sources.list.d");
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".list") || n.endsWith(".sources"));
  } catch {
    names = [];
  }
  return [join(etcApt, "sources.list"), ...names.map((n) => join(dir, n))].flatMap((path) => {
    try {
      return [readFileSync(path, "utf8")];
    } catch {
      return [];
    }
  });
}

// Adds each backports suite `packages` need on `codename` to apt's sources unless a source names it already;
// returns the files written (written to a temp name and renamed).
export function addBackportsSources(packages: readonly DebianPackage[], codename: string, options: { etcApt?: string } = {}): string[] {
  const etcApt = options.etcApt ?? "/etc/apt";
  const sources = readAptSourceFiles(etcApt);
  const written: string[] = [];
  for (const suite of backportsSuitesNeeded(packages, codename)) {
    if (sources.some((text) => new RegExp(`(^|\\s)${suite}(\\s|$)`, "m").test(text.replace(/#.*/g, "")))) continue;
    const file = join(etcApt, "sources.list.d", `${suite}.sources`);
    const text = [
      `# Added by rtcgw build-ami for the packages debian-packages.txt wants from ${suite}; apt installs nothing else from it unless asked.`,
      "Types: deb",
      `URIs: ${findDebianMirror(sources, codename)}`,
      `Suites: ${suite}`,
      "Components: main",
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
      "",
    ].join("\n");
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    written.push(file);
  }
  return written;
}

// Installs `packages` with apt-get (as root) on release `codename`, first adding the backports suites they
// come from to apt's sources; reports each step and apt's output line by line.
export async function installDebianPackages(
  packages: readonly DebianPackage[],
  options: { codename: string; onOutput(line: string): void; signal?: AbortSignal },
): Promise<void> {
  for (const file of addBackportsSources(packages, options.codename)) options.onOutput(`added ${file}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const command = renderAptInstallCommand(packages, options.codename);
  const install = ["-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", ...aptInstallArguments(packages, options.codename)];
  for (const args of [["update"], install]) {
    const run = execa("apt-get", args, { env, all: true, reject: false, stdin: "ignore", ...(options.signal ? { cancelSignal: options.signal } : {}) });
    for await (const line of run.iterable({ from: "all" })) options.onOutput(line);
    const result = await run;
    if (result.exitCode !== 0)
      throw new Error(`\`apt-get ${args.at(0) === "update" ? "update" : command.slice("apt-get ".length)}\` failed (exit ${result.exitCode ?? result.signal})`);
  }
}
