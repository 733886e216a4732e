// Writes the bootable raw disk from a sealed root file system directory, without loop devices or
// mounts: the ext4 root from the directory (mkfs.ext4 -d), the EFI system partition with GRUB at the
// removable path (mkfs.vfat + mtools), GRUB's BIOS core image in the BIOS boot partition, a GPT
// (sfdisk on the file), all placed with sparse writes. The disk appears at `output` only when complete.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BuildLog } from "../builders/local/build-log.ts";
import { runKillable } from "../builders/local/run-killable.ts";
import { diskLabels } from "../boot/boot-settings.ts";
import { placeCoreImage, renderMbr } from "./bios-boot-sectors.ts";
import { checkBootInputs, defaultGrubDir } from "./check-boot-inputs.ts";
import { planDiskLayout, renderSfdiskScript, sectorBytes, type DiskLayout, type Partition } from "./disk-layout.ts";
import { grubImages, renderEmbeddedGrubConfig, renderGrubMkimageArgs } from "./grub-images.ts";

/** What to write. */
export interface WriteDiskOptions {
  /** The sealed root file system. */
  rootDir: string;
  /** Scratch space for the partition images (removed afterwards). */
  workDir: string;
  /** The raw disk file to create. */
  output: string;
  log: BuildLog;
  signal?: AbortSignal;
  /** @default /usr/lib/grub */
  grubDir?: string;
  /** @default 2 GiB */
  sizeBytes?: number;
}

/** The outcome: the disk's layout, or why there is no disk. */
export type WriteDiskResult = { ok: true; layout: DiskLayout } | { ok: false; message: string };

class ToolFailure extends Error {}

// Writes the disk; never leaves a partial file at `output`.
export async function writeDisk(options: WriteDiskOptions): Promise<WriteDiskResult> {
  const problems = checkBootInputs(options.rootDir, options.grubDir ?? defaultGrubDir);
  if (problems.length > 0) return { ok: false, message: `cannot write a bootable disk: ${problems.join("; ")}` };
  const layout = planDiskLayout(options.sizeBytes);
  const parts = join(options.workDir, "disk-parts");
  const temporary = `${options.output}.tmp-${process.pid}`;
  rmSync(parts, { recursive: true, force: true });
  mkdirSync(parts, { recursive: true });
  mkdirSync(dirname(options.output), { recursive: true });
  const run = async (argv: string[]) => {
    options.log.note(`$ ${argv.join(" ")}`);
    const result = await runKillable(argv, { log: options.log, ...(options.signal ? { signal: options.signal } : {}) });
    if (result.exitCode !== 0)
      throw new ToolFailure(
        `${argv[0]} exited with ${result.exitCode}: ${result.stderr.trim().split("\n").slice(-2).join(" | ")} (full output in the build log)`,
      );
  };
  try {
    const grubDir = options.grubDir ?? defaultGrubDir;
    const coreImg = join(parts, "core.img");
    const efiImg = join(parts, "BOOTX64.EFI");
    for (const [image, output] of [
      [grubImages.bios, coreImg],
      [grubImages.uefi, efiImg],
    ] as const) {
      const config = join(parts, `grub-${image.format}.cfg`);
      writeFileSync(config, renderEmbeddedGrubConfig(image.format));
      await run(["grub-mkimage", ...renderGrubMkimageArgs(image, { grubDir, config, output })]);
    }

    const rootImg = join(parts, "root.ext4");
    createSparse(rootImg, layout.root.sizeBytes);
    // -d copies the tree with owners, modes, links, device nodes and extended attributes (file capabilities).
    await run(["mkfs.ext4", "-q", "-F", "-L", diskLabels.root, "-E", "lazy_itable_init=0,lazy_journal_init=0", "-d", options.rootDir, rootImg]);
    const espImg = join(parts, "esp.vfat");
    createSparse(espImg, layout.esp.sizeBytes);
    await run(["mkfs.vfat", "-F", "32", "-n", diskLabels.esp, espImg]);
    await run(["mmd", "-i", espImg, "::/EFI", "::/EFI/BOOT"]);
    await run(["mcopy", "-i", espImg, efiImg, "::/EFI/BOOT/BOOTX64.EFI"]);

    createSparse(temporary, layout.sizeBytes);
    const sfdiskScript = join(parts, "layout.sfdisk");
    writeFileSync(sfdiskScript, renderSfdiskScript(layout));
    await run(["sh", "-c", 'exec sfdisk --no-reread --no-tell-kernel --quiet "$1" < "$2"', "sfdisk", temporary, sfdiskScript]);
    await place(run, rootImg, temporary, layout.root);
    await place(run, espImg, temporary, layout.esp);
    writeBiosBoot(temporary, readFileSync(join(grubDir, grubImages.bios.format, "boot.img")), readFileSync(coreImg), layout.bios);
    renameSync(temporary, options.output);
    return { ok: true, layout };
  } catch (error) {
    rmSync(temporary, { force: true });
    if (error instanceof ToolFailure || (error instanceof Error && !options.signal?.aborted)) return { ok: false, message: error.message };
    throw error;
  } finally {
    rmSync(parts, { recursive: true, force: true });
  }
}

function createSparse(path: string, bytes: number): void {
  closeSync(openSync(path, "w"));
  truncateSync(path, bytes);
}

// Copies a partition image into the disk at its offset, leaving zero blocks as holes.
async function place(run: (argv: string[]) => Promise<void>, image: string, disk: string, partition: Partition): Promise<void> {
  await run(["dd", `if=${image}`, `of=${disk}`, "bs=1M", `seek=${partition.offsetBytes}`, "oflag=seek_bytes", "conv=notrunc,sparse", "status=none"]);
}

// boot.img into the MBR (keeping sfdisk's protective partition table), core.img into the BIOS boot partition.
function writeBiosBoot(disk: string, bootImg: Buffer, coreImg: Buffer, bios: Partition): void {
  const fd = openSync(disk, "r+");
  try {
    const existing = Buffer.alloc(sectorBytes);
    readSync(fd, existing, 0, sectorBytes, 0);
    const coreSector = bios.offsetBytes / sectorBytes;
    const core = placeCoreImage(coreImg, coreSector, bios.sizeBytes);
    writeSync(fd, core, 0, core.length, bios.offsetBytes);
    const mbr = renderMbr(bootImg, existing, coreSector);
    writeSync(fd, mbr, 0, mbr.length, 0);
  } finally {
    closeSync(fd);
  }
}
