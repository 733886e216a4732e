// Pure: the disk's GPT layout. A BIOS boot partition holds GRUB's i386-pc core image, an EFI system
// partition GRUB's x86_64-efi image at the removable path, and the root file system takes the rest
// (the last partition, so systemd-repart can grow it to the volume at first boot).
import { diskLabels } from "../boot/boot-settings.ts";

export const sectorBytes = 512;
const mib = 1024 * 1024;

/** GPT partition type GUIDs. */
export const partitionTypes = {
  biosBoot: "21686148-6449-6E6F-744E-656564454649",
  esp: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
  /** The Discoverable Partitions Specification's root (x86-64): what repart.d's `Type=root-x86-64` matches. */
  rootX8664: "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709",
} as const;

/** One partition, in bytes from the start of the disk. */
export interface Partition {
  number: number;
  name: string;
  type: string;
  offsetBytes: number;
  sizeBytes: number;
}

/** The whole disk. */
export interface DiskLayout {
  sizeBytes: number;
  bios: Partition;
  esp: Partition;
  root: Partition;
}

/** The default disk: 2 GiB (EC2 rounds volumes up to whole GiB; the root grows at first boot). */
export const defaultDiskBytes = 2 * 1024 * mib;

// The layout of a disk of `sizeBytes` (whole MiB, at least 512 MiB).
export function planDiskLayout(sizeBytes = defaultDiskBytes): DiskLayout {
  if (sizeBytes % mib !== 0 || sizeBytes < 512 * mib) throw new Error(`a disk must be whole MiB and at least 512 MiB, got ${sizeBytes} bytes`);
  const bios: Partition = { number: 1, name: "bios", type: partitionTypes.biosBoot, offsetBytes: 1 * mib, sizeBytes: 2 * mib };
  const esp: Partition = { number: 2, name: "esp", type: partitionTypes.esp, offsetBytes: 3 * mib, sizeBytes: 64 * mib };
  // The last MiB stays free: the backup GPT (33 sectors) lives there.
  const rootOffset = esp.offsetBytes + esp.sizeBytes;
  const root: Partition = {
    number: 3,
    name: diskLabels.root,
    type: partitionTypes.rootX8664,
    offsetBytes: rootOffset,
    sizeBytes: sizeBytes - rootOffset - mib,
  };
  return { sizeBytes, bios, esp, root };
}

// The sfdisk script that writes the layout's GPT (and protective MBR).
export function renderSfdiskScript(layout: DiskLayout): string {
  const line = (p: Partition) => `${p.number} : start=${p.offsetBytes / sectorBytes}, size=${p.sizeBytes / sectorBytes}, type=${p.type}, name="${p.name}"`;
  return ["label: gpt", "unit: sectors", "first-lba: 2048", line(layout.bios), line(layout.esp), line(layout.root), ""].join("\n");
}
