// Pure: what grub-bios-setup does for a GPT disk whose BIOS boot partition holds core.img, done on
// bytes so that no loop device is needed. The MBR gets boot.img (keeping the protective partition
// table) pointing at core.img's first sector; core.img's first sector (diskboot) gets the sector
// where the rest of core.img starts. Offsets from GRUB 2.06's include/grub/i386/pc/boot.h.

const kernelSectorOffset = 0x5c; // GRUB_BOOT_MACHINE_KERNEL_SECTOR: 64-bit LBA of core.img
const driveCheckOffset = 0x66; // GRUB_BOOT_MACHINE_DRIVE_CHECK: a jmp; nops make hard disks work on BIOSes that pass a wrong drive
const partitionTableOffset = 0x1b8; // GRUB_BOOT_MACHINE_WINDOWS_NT_MAGIC: disk signature, partition table, 0x55AA

// The MBR: boot.img's code with `existingMbr`'s signature and partition table, loading core.img from `coreSector`.
export function renderMbr(bootImg: Buffer, existingMbr: Buffer, coreSector: number): Buffer {
  if (bootImg.length !== 512) throw new Error(`boot.img must be 512 bytes, got ${bootImg.length}`);
  if (existingMbr.length !== 512 || existingMbr.readUInt16LE(510) !== 0xaa55)
    throw new Error("the disk's first sector is not an MBR (write the partition table first)");
  const mbr = Buffer.from(bootImg);
  existingMbr.copy(mbr, partitionTableOffset, partitionTableOffset, 512);
  mbr.writeBigUInt64LE(BigInt(coreSector), kernelSectorOffset);
  mbr[driveCheckOffset] = 0x90;
  mbr[driveCheckOffset + 1] = 0x90;
  return mbr;
}

// core.img with diskboot's block list pointing at its own second sector, once it sits at `coreSector`.
export function placeCoreImage(coreImg: Buffer, coreSector: number, roomBytes: number): Buffer {
  if (coreImg.length > roomBytes) throw new Error(`GRUB's core.img (${coreImg.length} bytes) does not fit the BIOS boot partition (${roomBytes} bytes)`);
  const core = Buffer.from(coreImg);
  const listEntry = 512 - 12; // struct grub_pc_bios_boot_blocklist { u64 start; u16 len; u16 segment; }, the last of diskboot's sector
  const sectors = Math.ceil(core.length / 512) - 1;
  const len = core.readUInt16LE(listEntry + 8);
  if (len !== sectors) throw new Error(`core.img's block list says ${len} sectors, the image has ${sectors} after diskboot: not an i386-pc core image?`);
  core.writeBigUInt64LE(BigInt(coreSector + 1), listEntry);
  return core;
}
