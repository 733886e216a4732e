// Pure: the project's Lynis profile. Lynis matches `skip-test` exactly (no wildcards), so the skipped
// families are expanded against the test ids of the installed Lynis.

/** Test families that judge the build host, not the image, when Lynis runs in a chroot. */
export const hostOnlyTestFamilies: Record<string, string> = {
  KRNL: "reads the running kernel (the build host's), its live sysctls and modules",
  FIRE: "reads the live firewall of the audit's empty network namespace; the image's ruleset is checked with `nft -c` by the smoke test",
  BOOT: "the rootfs has no boot loader or kernel: the cloud base image provides them",
};

/**
 * Lynis test groups (include/tests_<group>) whose outcome depends on the running system: the boot test runs them
 * inside the booted VM (image/audit/vm-lynis-script.ts) and they replace the chroot's results for those groups.
 * They cover every host-only family above.
 */
export const runtimeTestGroups: Record<string, string> = {
  kernel: "the running kernel: core dump limits in force, a pending reboot",
  kernel_hardening: "the live sysctl values the image's sysctl.d set at boot",
  boot_services: "the boot loader on the disk, the services systemd runs, rescue mode",
  firewalls: "the ruleset nftables loaded at boot",
  mac_frameworks: "AppArmor as the kernel enforces it (the chroot sees no securityfs)",
  filesystems: "the mounts and their options as systemd made them (the chroot sees the audit's own mounts)",
};

/** The chroot profile's heading; the VM's profile skips nothing (only the runtime groups run there). */
const chrootHeading = "# rtcgw audit profile: Lynis runs inside the image's rootfs (chroot, private pid/net namespaces).";
export const vmHeading = "# rtcgw audit profile inside the booted VM: only the runtime groups run (--tests-from-group), none skipped.";

// The test ids (e.g. `KRNL-5820`) one Lynis test source registers, in its order.
export function registeredTestIds(source: string): string[] {
  return [...source.matchAll(/Register --test-no ([A-Z]+-\d+)/g)].map((match) => match[1]!);
}

// Every test id registered in Lynis's test sources, sorted.
export function findLynisTestIds(testSources: readonly string[]): string[] {
  return [...new Set(testSources.flatMap(registeredTestIds))].sort();
}

// The profile text: skips every test of the host-only families, with the reason above each family.
export function renderLynisProfile(testIds: readonly string[], families: Record<string, string> = hostOnlyTestFamilies, heading = chrootHeading): string {
  const lines = [heading];
  for (const [family, reason] of Object.entries(families)) {
    lines.push(`# ${family}-*: ${reason}`);
    for (const id of testIds.filter((t) => t.startsWith(`${family}-`))) lines.push(`skip-test=${id}`);
  }
  lines.push("colors=no", "quick=yes", "");
  return lines.join("\n");
}

// Debian's default.prf without the lines the VM audit never reads, for time: under TCG Lynis parses each profile line
// with several processes (about 0.2 s a line) and KRNL-6000 reads each sysctl line (about 0.5 s). Dropped: plugin
// switches (the VM runs none), file permission lists (the file_permissions group runs in the chroot), and sysctl keys
// of other kernels (BSD's `security.bsd.*`, `kern.*`, `net.inet*`, `hw.*`), which Linux lacks: Lynis gives them no
// points either way, so the VM's index is the same.
export function trimDefaultProfileForVm(profile: string): string {
  const linuxSysctl = /^config-data=sysctl;(fs|kernel|net\.core|net\.ipv4|net\.ipv6|dev|vm|user)\./;
  return profile
    .split("\n")
    .filter((line) => !/^(plugin|permfile|permdir)=/.test(line))
    .filter((line) => !line.startsWith("config-data=sysctl;") || linuxSysctl.test(line))
    .join("\n");
}
