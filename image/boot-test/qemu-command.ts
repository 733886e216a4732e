// Pure: the QEMU command line of the boot test. The disk is an NVMe device (as on Nitro) backed by a
// copy-on-write overlay larger than the image, so the image file is never written and first boot has
// a bigger volume to grow into; the network card is a TAP device; the serial port is QEMU's stdout.
import type { Accelerator } from "./detect-accelerator.ts";

/** Which firmware starts the disk. */
export type Firmware = "uefi" | "bios";

/** The VM to start. */
export interface VmSpec {
  accelerator: Accelerator["name"];
  firmware: Firmware;
  /** qcow2 overlay over the raw disk. */
  overlay: string;
  /** A private writable copy of OVMF_VARS.fd (UEFI only). */
  uefiVars?: string;
  /** @default /usr/share/OVMF/OVMF_CODE.fd */
  uefiCode?: string;
  tap: string;
  mac: string;
  /** @default 2 */
  cpus?: number;
  /** @default 2048 (a t3.small) */
  memoryMiB?: number;
}

export const defaultUefiCode = "/usr/share/OVMF/OVMF_CODE.fd";
export const defaultUefiVars = "/usr/share/OVMF/OVMF_VARS.fd";

// qemu-system-x86_64's argv (without the program).
export function renderQemuArgs(vm: VmSpec): string[] {
  const firmware =
    vm.firmware === "uefi"
      ? [
          "-drive",
          `if=pflash,format=raw,readonly=on,file=${vm.uefiCode ?? defaultUefiCode}`,
          "-drive",
          `if=pflash,format=raw,file=${vm.uefiVars ?? "OVMF_VARS.fd"}`,
        ]
      : [];
  return [
    "-machine",
    `q35,accel=${vm.accelerator}`,
    // TCG: QEMU's default model without SVM. "max" emulates AVX, and SVM has the guest load kvm_amd: both cost boot time.
    "-cpu",
    vm.accelerator === "kvm" ? "host" : "qemu64,-svm",
    "-smp",
    String(vm.cpus ?? 2),
    "-m",
    String(vm.memoryMiB ?? 2048),
    "-nodefaults",
    "-display",
    "none",
    "-no-reboot",
    "-serial",
    "stdio",
    ...firmware,
    "-drive",
    `file=${vm.overlay},format=qcow2,if=none,id=disk0,cache=unsafe`,
    "-device",
    "nvme,drive=disk0,serial=rtcgw-boot-test",
    "-netdev",
    `tap,id=net0,ifname=${vm.tap},script=no,downscript=no`,
    "-device",
    `virtio-net-pci,netdev=net0,mac=${vm.mac}`,
    "-object",
    "rng-random,filename=/dev/urandom,id=rng0",
    "-device",
    "virtio-rng-pci,rng=rng0",
  ];
}
