// What a local build needs from this machine, one clear line per missing thing: the Debian packages
// to install or the fix. An empty list means ready.
import { accessSync, constants, existsSync, readFileSync, statfsSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import {
  describeAptSourcesNeeded,
  describeMissingPackage,
  findMissingDebianPackages,
  readDebianPackageList,
  readHostCodename,
  renderAptInstallCommand,
} from "./debian-packages.ts";

/** The least free space a build needs in the output directory (rootfs, overlays, tarball). */
export const minimumFreeBytes = 4 * 1024 ** 3;

// Lines naming each missing prerequisite for building into `outDir`.
export async function checkLocalBuildPrerequisites(options: { outDir?: string; uid?: number } = {}): Promise<string[]> {
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const problems: string[] = [];
  const missing = await findMissingDebianPackages(readDebianPackageList().build);
  if (missing.length > 0) {
    const codename = readHostCodename();
    const sources = describeAptSourcesNeeded(missing, codename);
    problems.push(
      `Debian packages not installed: ${missing.map(describeMissingPackage).join(", ")}: install them with \`${renderAptInstallCommand(missing, codename)}\`${sources ? ` (with ${sources})` : ""}`,
    );
  }
  if (uid !== 0) {
    if (!findProgram("newuidmap")) problems.push("`newuidmap` not found (mmdebstrap's unshare mode): install it with `apt-get install uidmap`");
    if (readNumber("/proc/sys/kernel/unprivileged_userns_clone") === 0)
      problems.push("unprivileged user namespaces are off: `sysctl -w kernel.unprivileged_userns_clone=1`");
    if (readNumber("/proc/sys/user/max_user_namespaces") === 0) problems.push("user namespaces are disabled: `sysctl -w user.max_user_namespaces=15000`");
    problems.push("the smoke test and the audit chroot into the image and mount an overlay: run the local build as root (sudo)");
  }
  if (!readFileSafe("/proc/filesystems").includes("overlay"))
    problems.push("the kernel has no overlay file system (needed by the smoke test and the audit): `modprobe overlay`");
  const outDir = nearestExisting(options.outDir ?? process.cwd());
  const free = freeBytes(outDir);
  if (free !== undefined && free < minimumFreeBytes)
    problems.push(`only ${(free / 1024 ** 3).toFixed(1)} GiB free in ${outDir}: a build needs ${minimumFreeBytes / 1024 ** 3} GiB`);
  return problems;
}
// The executable `command` on PATH (plus the sbin directories, which a non-root PATH lacks), if any.
export function findProgram(command: string): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"]);
  for (const dir of dirs) {
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      continue;
    }
  }
  return undefined;
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function readNumber(path: string): number | undefined {
  const text = readFileSafe(path).trim();
  return text === "" ? undefined : Number(text);
}

function nearestExisting(path: string): string {
  let dir = path;
  while (!existsSync(dir) && dir !== "/") dir = join(dir, "..");
  return dir;
}

function freeBytes(dir: string): number | undefined {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}
