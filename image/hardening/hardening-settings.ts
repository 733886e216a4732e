import type { Recipe } from "../../dsl/resolve.ts";

/** The recipe's hardening profile. */
export type HardeningProfile = Recipe["image"]["hardening"];

/** One sysctl.d line; `optional` keys get systemd-sysctl's `-` prefix (ignored where the kernel lacks them). */
export interface SysctlSetting {
  key: string;
  value: string;
  optional?: boolean;
}

const network: SysctlSetting[] = [
  { key: "net.ipv4.ip_forward", value: "0" },
  { key: "net.ipv6.conf.all.forwarding", value: "0" },
  { key: "net.ipv4.conf.all.send_redirects", value: "0" },
  { key: "net.ipv4.conf.default.send_redirects", value: "0" },
  { key: "net.ipv4.conf.all.accept_redirects", value: "0" },
  { key: "net.ipv4.conf.default.accept_redirects", value: "0" },
  { key: "net.ipv6.conf.all.accept_redirects", value: "0" },
  { key: "net.ipv6.conf.default.accept_redirects", value: "0" },
  { key: "net.ipv4.conf.all.secure_redirects", value: "0" },
  { key: "net.ipv4.conf.default.secure_redirects", value: "0" },
  { key: "net.ipv4.conf.all.accept_source_route", value: "0" },
  { key: "net.ipv4.conf.default.accept_source_route", value: "0" },
  { key: "net.ipv6.conf.all.accept_source_route", value: "0" },
  { key: "net.ipv6.conf.default.accept_source_route", value: "0" },
  { key: "net.ipv4.conf.all.rp_filter", value: "1" },
  { key: "net.ipv4.conf.default.rp_filter", value: "1" },
  { key: "net.ipv4.conf.all.log_martians", value: "1" },
  { key: "net.ipv4.conf.default.log_martians", value: "1" },
  { key: "net.ipv4.icmp_echo_ignore_broadcasts", value: "1" },
  { key: "net.ipv4.icmp_ignore_bogus_error_responses", value: "1" },
  { key: "net.ipv4.tcp_syncookies", value: "1" },
];

const kernel: SysctlSetting[] = [
  { key: "kernel.randomize_va_space", value: "2" },
  { key: "kernel.kptr_restrict", value: "2" },
  { key: "kernel.dmesg_restrict", value: "1" },
  { key: "kernel.yama.ptrace_scope", value: "1", optional: true },
  { key: "kernel.unprivileged_bpf_disabled", value: "1" },
  { key: "kernel.perf_event_paranoid", value: "3" },
  { key: "kernel.core_uses_pid", value: "1" },
  { key: "net.core.bpf_jit_harden", value: "2" },
  { key: "fs.suid_dumpable", value: "0" },
  { key: "fs.protected_hardlinks", value: "1" },
  { key: "fs.protected_symlinks", value: "1" },
  { key: "fs.protected_fifos", value: "2" },
  { key: "fs.protected_regular", value: "2" },
  { key: "dev.tty.ldisc_autoload", value: "0" },
  // No magic SysRq keys (systemd's 50-default.conf allows a subset): an appliance is replaced, not debugged at its
  // console. Optional: kernels built without SysRq (this build host's) lack the key.
  { key: "kernel.sysrq", value: "0", optional: true },
];

// sysctl settings for a profile: network hardening always, kernel hardening for cis-l1.
export function listSysctlSettings(profile: HardeningProfile): SysctlSetting[] {
  return profile === "cis-l1" ? [...network, ...kernel] : network;
}

// Kernel modules refused by modprobe for a profile (none for minimal).
export function listDisabledModules(profile: HardeningProfile): string[] {
  if (profile !== "cis-l1") return [];
  const filesystems = ["cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "squashfs", "udf"];
  const protocols = ["dccp", "sctp", "rds", "tipc"];
  const devices = ["usb-storage", "firewire-core"];
  // nftables is the one firewall and rtpengine forwards in userspace: the legacy iptables tables stay unloaded (Lynis
  // inside the VM warned FIRE-4512 "iptables module(s) loaded, but no rules active" once something loaded ip_tables).
  const legacyFirewall = ["ip_tables", "ip6_tables", "arp_tables"];
  return [...filesystems, ...protocols, ...devices, ...legacyFirewall];
}

// /etc/login.defs keys provision.sh sets (login.defs has no drop-in directory), for a profile.
export function listLoginDefsSettings(profile: HardeningProfile): { key: string; value: string }[] {
  if (profile !== "cis-l1") return [];
  return [
    { key: "UMASK", value: "027" },
    { key: "USERGROUPS_ENAB", value: "no" },
    { key: "PASS_MAX_DAYS", value: "365" },
    { key: "PASS_MIN_DAYS", value: "1" },
    { key: "PASS_WARN_AGE", value: "7" },
    { key: "SHA_CRYPT_MIN_ROUNDS", value: "5000" },
    { key: "SHA_CRYPT_MAX_ROUNDS", value: "10000" },
  ];
}

// Debian packages the profile adds to the image, for cis-l1: AppArmor's userspace (CIS 1.6.1), password
// quality checks (CIS 5.3.1; no login uses a password, but any set later is checked), private per-user /tmp,
// and debsums to check installed files against their packages (AIDE, CIS 1.3.1, is left out: its database
// build costs minutes per image and belongs to the running instance).
export function listHardeningPackages(profile: HardeningProfile): string[] {
  return profile === "cis-l1" ? ["apparmor", "libpam-pwquality", "libpam-tmpdir", "debsums"] : [];
}

/** Packages that keep time; provision.sh installs systemd-timesyncd only when none is there (the AMI may ship chrony). */
export const timeDaemonPackages = ["chrony", "ntpsec", "openntpd", "systemd-timesyncd"];

/** Key exchange, cipher and MAC lists of the dev-sec baseline, as OpenSSH 9.2 names them. */
export const sshAlgorithms = {
  kexAlgorithms: [
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
  ],
  ciphers: ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes192-ctr", "aes128-ctr"],
  macs: ["hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "umac-128-etm@openssh.com"],
};
