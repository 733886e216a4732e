import type { CommandIo } from "./command.ts";
import { findMissingDebianPackages, installDebianPackages, readDebianPackageList, renderAptInstallCommand } from "../image/builders/local/debian-packages.ts";

/** What became of the build's Debian packages before a local build. */
export type BuildPackagesOutcome = { ok: true; installed: string[] } | { ok: false; missing: string[]; reason: string };

// Makes sure the [build] packages of debian-packages.txt are installed: says which are missing and
// installs them with apt-get (root only), unless `install` is false (`--no-install`, `--dry-run`).
export async function installBuildPackages(io: CommandIo, options: { install: boolean; uid?: number }): Promise<BuildPackagesOutcome> {
  const missing = await findMissingDebianPackages(readDebianPackageList().build);
  if (missing.length === 0) return { ok: true, installed: [] };
  const command = renderAptInstallCommand(missing);
  if (!options.install)
    return {
      ok: false,
      missing,
      reason: `Debian packages the build needs are not installed: ${missing.join(" ")}; install them with \`${command}\` (or run build-ami as root without --no-install)`,
    };
  if ((options.uid ?? process.getuid?.() ?? 0) !== 0)
    return {
      ok: false,
      missing,
      reason: `Debian packages the build needs are not installed: ${missing.join(" ")}; run \`sudo ${command}\`, or build-ami as root to install them`,
    };
  io.stderr(`Installing the Debian packages the build needs (from debian-packages.txt): ${missing.join(" ")}\n  ${command}\n`);
  try {
    await installDebianPackages(missing, { onOutput: (line) => io.stderr(`  apt: ${line}\n`), signal: io.signal });
  } catch (error) {
    return { ok: false, missing, reason: `${(error as Error).message}; install them yourself with \`${command}\`, then run build-ami again` };
  }
  const still = await findMissingDebianPackages(missing);
  if (still.length > 0) return { ok: false, missing: still, reason: `apt-get finished but ${still.join(" ")} is still not installed` };
  io.stderr(`Installed ${missing.join(" ")}\n`);
  return { ok: true, installed: missing };
}
