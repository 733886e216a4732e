import type { CommandIo } from "./command.ts";
import {
  describeAptSourcesNeeded,
  describeMissingPackage,
  findMissingDebianPackages,
  installDebianPackages,
  readDebianPackageList,
  readHostCodename,
  renderAptInstallCommand,
} from "../image/builders/local/debian-packages.ts";

/** What became of the build's Debian packages before a local build. */
export type BuildPackagesOutcome = { ok: true; installed: string[] } | { ok: false; missing: string[]; reason: string };

// Makes sure the [build] packages of debian-packages.txt are installed (and new enough): says which are
// missing and installs them with apt-get (root only), unless `install` is false (`--no-install`, `--dry-run`).
export async function installBuildPackages(io: CommandIo, options: { install: boolean; uid?: number }): Promise<BuildPackagesOutcome> {
  const missing = await findMissingDebianPackages(readDebianPackageList().build);
  if (missing.length === 0) return { ok: true, installed: [] };
  const codename = readHostCodename();
  const names = missing.map(describeMissingPackage);
  const sources = describeAptSourcesNeeded(missing, codename);
  const command = `${renderAptInstallCommand(missing, codename)}${sources ? ` (with ${sources})` : ""}`;
  if (!options.install)
    return {
      ok: false,
      missing: names,
      reason: `Debian packages the build needs are not installed: ${names.join(" ")}; install them with \`${command}\` (or run build-ami as root without --no-install)`,
    };
  if ((options.uid ?? process.getuid?.() ?? 0) !== 0)
    return {
      ok: false,
      missing: names,
      reason: `Debian packages the build needs are not installed: ${names.join(" ")}; run \`sudo ${command}\`, or build-ami as root to install them`,
    };
  io.stderr(`Installing the Debian packages the build needs (from debian-packages.txt): ${names.join(" ")}\n  ${command}\n`);
  try {
    await installDebianPackages(missing, { codename, onOutput: (line) => io.stderr(`  apt: ${line}\n`), signal: io.signal });
  } catch (error) {
    return { ok: false, missing: names, reason: `${(error as Error).message}; install them yourself with \`${command}\`, then run build-ami again` };
  }
  const still = await findMissingDebianPackages(missing);
  if (still.length > 0)
    return {
      ok: false,
      missing: still.map(describeMissingPackage),
      reason: `apt-get finished but ${still.map(describeMissingPackage).join(" ")} is still missing or older than needed: this release has no new enough version; install it yourself, then run build-ami again`,
    };
  io.stderr(`Installed ${missing.map((p) => p.name).join(" ")}\n`);
  return { ok: true, installed: missing.map((p) => p.name) };
}
