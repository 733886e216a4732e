// Pure: violations that follow from a file's path and size alone (host keys, history, logs, apt state).
import { historyFileNames } from "./history-files.ts";
import type { SealViolation } from "./seal-violation.ts";

/** What the tree walk knows about one entry. */
export interface TreeEntry {
  /** Absolute path inside the image. */
  path: string;
  kind: "file" | "dir" | "symlink" | "other";
  size: number;
}

const historyNames = new Set(historyFileNames);
const sshPrivateKeyNames = /^id_(rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk)$/;
const credentialPaths = [/\/\.aws\/credentials$/, /\/\.git-credentials$/, /\/\.netrc$/, /\/\.docker\/config\.json$/, /\/\.pgpass$/];
const buildLeftovers = ["/usr/sbin/policy-rc.d", "/etc/apt/apt.conf.d/99rtcgw-build"];

// Violations for one entry of the tree.
export function checkPath(entry: TreeEntry): SealViolation[] {
  const { path, kind, size } = entry;
  const name = path.slice(path.lastIndexOf("/") + 1);
  const found: SealViolation[] = [];
  const add = (rule: SealViolation["rule"], message: string) => found.push({ rule, path, message });
  if (kind === "dir") {
    if (path === "/var/lib/cloud/instances" || path === "/var/lib/cloud/data") add("cloud-init-state", "cloud-init state from the build (per-instance data)");
    return found;
  }
  if (/^\/etc\/ssh\/ssh_host_.*_key(\.pub)?$/.test(path)) add("ssh-host-key", "SSH host key made at build time: every instance would share it");
  if (name === "authorized_keys" || name === "authorized_keys2")
    add("authorized-keys", "authorized_keys in the image: whoever holds the key logs into every instance");
  if (sshPrivateKeyNames.test(name)) add("ssh-private-key", "SSH private key file");
  if (credentialPaths.some((re) => re.test(path))) add("credential", "credentials file");
  if (historyNames.has(name) && size > 0) add("shell-history", "shell history from the build");
  if (path.startsWith("/var/log/") && kind === "file" && size > 0) add("log", "log written during the build");
  if (path === "/var/lib/systemd/random-seed" || path === "/var/lib/systemd/credential.secret")
    add("random-seed", "per-machine secret from the build: every instance would share it");
  if (path === "/var/lib/cloud/instance") add("cloud-init-state", "cloud-init instance link from the build");
  if (path.startsWith("/var/lib/apt/lists/") && kind === "file" && name !== "lock")
    add("apt-state", "apt package lists (stale at launch; `apt-get update` fetches fresh ones)");
  if (path.startsWith("/var/cache/apt/") && (name.endsWith(".deb") || name.endsWith(".bin"))) add("apt-state", "apt cache");
  if (path === "/var/lib/dbus/machine-id" && kind === "file" && size > 0) add("machine-id", "D-Bus machine-id from the build");
  if (path === "/etc/machine-id" && size > 0) add("machine-id", "machine-id is set: every instance would share it (must be empty)");
  if (/^\/etc\/(g?shadow|passwd|group)-$/.test(path) || /^\/var\/backups\/.*(shadow|passwd)/.test(path)) add("password-hash", "account database backup");
  if (buildLeftovers.includes(path)) add("build-leftover", "file the builder adds only while provisioning");
  return found;
}
