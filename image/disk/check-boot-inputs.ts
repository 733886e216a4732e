// What writing a bootable disk needs, checked before anything is written, each missing piece named with
// where it was looked for and what to do: a kernel and initramfs in the root file system, GRUB's
// BIOS and UEFI images on this machine.
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { grubImages } from "./grub-images.ts";

/** Where GRUB's platform directories are (grub-pc-bin and grub-efi-amd64-bin). */
export const defaultGrubDir = "/usr/lib/grub";

// Problems (empty when the disk can be written) for the rootfs at `rootDir` and GRUB under `grubDir`.
export function checkBootInputs(rootDir: string, grubDir = defaultGrubDir): string[] {
  const problems: string[] = [];
  for (const [link, what] of [
    ["vmlinuz", "kernel"],
    ["initrd.img", "initramfs"],
  ] as const) {
    const target = resolveInRoot(rootDir, link);
    if (target === undefined)
      problems.push(
        `no ${what} in the image: ${join(rootDir, link)} is missing or points outside it (the image must install linux-image-cloud-amd64: image/boot/boot-settings.ts, bootPackages)`,
      );
  }
  for (const image of Object.values(grubImages)) {
    const needed = [join(grubDir, image.format, "linux.mod"), ...(image.format === "i386-pc" ? [join(grubDir, image.format, "boot.img")] : [])];
    for (const file of needed) {
      if (!existsSync(file)) problems.push(`no GRUB boot loader for ${image.format}: ${file} is missing (apt-get install ${image.debianPackage})`);
    }
  }
  return problems;
}

// The file a link at the root of the image points to, inside the image, or undefined.
function resolveInRoot(rootDir: string, name: string): string | undefined {
  try {
    const root = realpathSync(rootDir);
    // Absolute links (/boot/vmlinuz-…) must resolve inside the image, not on this machine: re-anchor them.
    let path = join(root, name);
    for (let hops = 0; hops < 8; hops++) {
      const stat = statSafe(path, false);
      if (!stat) return undefined;
      if (!stat.isSymbolicLink()) break;
      const target = readlinkSync(path);
      path = target.startsWith("/") ? join(root, target) : join(path, "..", target);
    }
    const rel = relative(root, path);
    if (rel.startsWith("..")) return undefined;
    const stat = statSafe(path, true);
    return stat?.isFile() && stat.size > 0 ? path : undefined;
  } catch {
    return undefined;
  }
}

function statSafe(path: string, follow: boolean) {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
}
