// What the seal assertion reports: one violation per offending file, named by its path in the image.

/** The kinds of host state and secrets a shared image must not carry. */
export type SealRule =
  | "ssh-host-key"
  | "authorized-keys"
  | "ssh-private-key"
  | "private-key"
  | "credential"
  | "password-hash"
  | "machine-id"
  | "random-seed"
  | "cloud-init-state"
  | "hostname"
  | "resolv-conf"
  | "shell-history"
  | "log"
  | "apt-state"
  | "build-leftover"
  | "imds-v1";

/** One problem found in a rootfs. */
export interface SealViolation {
  rule: SealRule;
  /** Absolute path inside the image, e.g. `/etc/ssh/ssh_host_ed25519_key`. */
  path: string;
  message: string;
}
