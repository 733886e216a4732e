// Test helper: packs rtcgw with `npm pack` (prepack builds dist/) and installs the tarball into a fresh
// project with `npm install` from the local npm cache, without the network: the project gets a lockfile
// with the exact runtime dependency tree of this repository's package-lock.json (what `npm ci` cached).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { execa } from "execa";
import { projectDir } from "./run-cli.ts";

interface LockEntry {
  version?: string;
  dev?: boolean;
  license?: string;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

// `npm pack` into `dir`; returns the tarball's path.
export async function packRtcgw(dir: string): Promise<string> {
  const { stdout } = await execa("npm", ["pack", "--pack-destination", dir, "--json"], { cwd: projectDir, env: { npm_config_loglevel: "error" } });
  const [packed] = JSON.parse(String(stdout)) as { filename: string }[];
  return join(dir, packed!.filename);
}

// The tarball's file list (paths inside the package).
export async function listTarball(tarball: string): Promise<string[]> {
  const { stdout } = await execa("tar", ["tzf", tarball]);
  return String(stdout)
    .split("\n")
    .map((line) => line.replace(/^package\//, ""))
    .filter(Boolean);
}

// Makes `project` a fresh npm project with rtcgw installed from `tarball`, offline.
export async function installTarball(project: string, tarball: string): Promise<void> {
  const spec = `file:${relative(project, tarball)}`;
  const repoLock = JSON.parse(readFileSync(join(projectDir, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const self = repoLock.packages[""]!;
  const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
  const packages: Record<string, unknown> = {
    "": { name: "gateway-project", devDependencies: { rtcgw: spec } },
    "node_modules/rtcgw": {
      version: self.version,
      resolved: spec,
      integrity,
      dev: true,
      license: self.license,
      dependencies: self.dependencies,
      bin: self.bin,
      engines: self.engines,
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) if (path !== "" && !entry.dev) packages[path] = { ...entry, dev: true };
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "gateway-project", devDependencies: { rtcgw: spec } }, null, 2)}\n`);
  writeFileSync(join(project, "package-lock.json"), `${JSON.stringify({ name: "gateway-project", lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  await execa("npm", ["install", "--offline", "--no-audit", "--no-fund", "--save-dev", tarball], { cwd: project, env: { npm_config_loglevel: "error" } });
}

// Runs `npx rtcgw ...` in the project as a user would (offline: the bin is installed).
export async function runInstalledCli(project: string, args: string[]) {
  const result = await execa("npx", ["--offline", "rtcgw", ...args], { cwd: project, reject: false, env: { NO_COLOR: "1" } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
