// Pure: how GRUB is built for the disk. Both images carry their whole configuration (no grub.cfg, no
// module directory on the disk): find the root file system by label, boot /vmlinuz with /initrd.img.
// Debian's kernel packages keep those two links pointing at the newest kernel, so unattended kernel
// upgrades boot without anything rewriting a GRUB configuration.
import { diskLabels, kernelCommandLine } from "../boot/boot-settings.ts";

/** One GRUB image to build with grub-mkimage. */
export interface GrubImage {
  /** grub-mkimage's -O. */
  format: "i386-pc" | "x86_64-efi";
  /** The Debian package that ships the format's modules. */
  debianPackage: string;
  modules: string[];
}

const common = ["part_gpt", "ext2", "search", "search_label", "linux", "boot", "echo", "serial", "terminal", "gzio", "test"];

export const grubImages = {
  bios: { format: "i386-pc", debianPackage: "grub-pc-bin", modules: ["biosdisk", ...common] },
  uefi: { format: "x86_64-efi", debianPackage: "grub-efi-amd64-bin", modules: [...common] },
} as const satisfies Record<string, GrubImage>;

// The configuration embedded in an image (GRUB's rescue parser runs it: plain commands only). UEFI
// firmware already mirrors its console to the serial port; under BIOS GRUB writes to the port itself.
export function renderEmbeddedGrubConfig(format: GrubImage["format"]): string {
  return [
    ...(format === "i386-pc" ? ["serial --unit=0 --speed=115200", "terminal_output --append serial"] : []),
    `search --no-floppy --label ${diskLabels.root} --set=root`,
    "echo 'rtcgw: loading the kernel'",
    `linux /vmlinuz ${kernelCommandLine}`,
    "initrd /initrd.img",
    "boot",
    "",
  ].join("\n");
}

// grub-mkimage's argv (without the program) for `image`.
export function renderGrubMkimageArgs(image: GrubImage, options: { grubDir: string; config: string; output: string }): string[] {
  return [
    "--directory",
    `${options.grubDir}/${image.format}`,
    "--format",
    image.format,
    "--config",
    options.config,
    "--prefix",
    "/boot/grub",
    "--output",
    options.output,
    ...image.modules,
  ];
}
