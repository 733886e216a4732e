// The machine layer of the image, shared by everything that makes a disk from the bundle: what the
// appliance needs to boot as a machine (EC2 Nitro, QEMU) without cloud-init, and the disk's layout
// names the boot loader and /etc/fstab agree on.

/** Packages that turn the rootfs into a bootable machine (a minbase rootfs has none of them). */
export const bootPackages = [
  // ENA, NVMe and virtio drivers, the serial console; initramfs-tools comes with it.
  "linux-image-cloud-amd64",
  // Device nodes, /dev/disk/by-*, interface naming for networkd's [Match].
  "udev",
  // hostnamectl, timedatectl, logind: systemd's tools speak D-Bus.
  "dbus",
  // DNS for apt and host-name upstreams from the DHCP lease (networkd hands its servers to resolved).
  "systemd-resolved",
  // Grows the root partition to the volume at first boot (repart.d); its own package since Debian 13.
  "systemd-repart",
  // The admin login administers the appliance (as `admin` on Debian's own AMIs).
  "sudo",
];

/** Units provision.sh enables for the machine layer. */
export const bootUnits = ["systemd-networkd.service", "systemd-resolved.service", "systemd-timesyncd.service"];

/** Units a booted appliance does not need: e2scrub_reap cleans up e2scrub's LVM snapshots (there is no LVM), and
 * took 29 s of CPU at every boot under TCG. */
export const bootUnitsToDisable = ["e2scrub_reap.service"];

/** The login the launch key pair's public key is authorized for (Debian's AMIs call it `admin`). */
export const adminLogin = "admin";

/** Labels of the disk's file systems: /etc/fstab and GRUB's embedded configuration find them by label, never by device name. */
export const diskLabels = { root: "rtcgw-root", esp: "RTCGW-ESP" } as const;

/**
 * The kernel command line. The last `console=` is /dev/console, where systemd writes its status lines: the serial
 * port (EC2's console output, the boot test), as on Debian's cloud images. No `quiet`: that output explains a failed boot.
 */
export const kernelCommandLine = `root=LABEL=${diskLabels.root} ro console=tty0 console=ttyS0,115200`;

/** The line rtcgw-ready.service writes to the console once the gateway's services have started. */
export const readyMarker = "rtcgw: gateway ready";
