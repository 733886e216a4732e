// Removes per-machine state and secrets from a provisioned rootfs so it can be shared as an image:
// SSH host keys, authorized_keys, password hashes (locked), machine-id, cloud-init state, hostname,
// resolver, history, logs, apt lists and caches. Run `assertSealed` afterwards.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { homeLeftoverNames } from "./history-files.ts";

const neutralHosts = "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n";

// Seals `rootDir` in place and returns the image paths it changed.
export function sealRootfs(rootDir: string): string[] {
  const changed: string[] = [];
  const at = (path: string) => join(rootDir, path);
  const remove = (path: string) => {
    if (!existsSync(at(path)) && !isSymlink(at(path))) return;
    rmSync(at(path), { recursive: true, force: true });
    changed.push(path);
  };
  const write = (path: string, content: string) => {
    if (existsSync(at(path)) && readFileSync(at(path), "utf8") === content) return;
    writeFileSync(at(path), content);
    changed.push(path);
  };

  for (const name of list(at("/etc/ssh"))) if (/^ssh_host_.*_key(\.pub)?$/.test(name)) remove(`/etc/ssh/${name}`);
  for (const home of ["/root", ...list(at("/home")).map((h) => `/home/${h}`)]) {
    for (const name of ["authorized_keys", "authorized_keys2"]) remove(`${home}/.ssh/${name}`);
    for (const name of homeLeftoverNames) remove(`${home}/${name}`);
  }
  for (const file of ["/etc/shadow", "/etc/gshadow"]) if (existsSync(at(file))) write(file, lockPasswords(readFileSync(at(file), "utf8")));
  for (const file of ["/etc/shadow-", "/etc/gshadow-", "/etc/passwd-", "/etc/group-", "/etc/subuid-", "/etc/subgid-"]) remove(file);
  for (const name of list(at("/var/backups"))) remove(`/var/backups/${name}`);
  write("/etc/machine-id", "");
  remove("/var/lib/dbus/machine-id");
  remove("/var/lib/systemd/random-seed");
  remove("/var/lib/systemd/credential.secret");
  for (const name of list(at("/var/lib/cloud"))) remove(`/var/lib/cloud/${name}`);
  write("/etc/hostname", "localhost\n");
  write("/etc/hosts", neutralHosts);
  if (!isSymlink(at("/etc/resolv.conf"))) write("/etc/resolv.conf", "");
  for (const name of list(at("/var/lib/apt/lists"))) if (name !== "partial" && name !== "lock") remove(`/var/lib/apt/lists/${name}`);
  for (const name of list(at("/var/lib/apt/lists/partial"))) remove(`/var/lib/apt/lists/partial/${name}`);
  for (const name of list(at("/var/cache/apt"))) if (name.endsWith(".bin")) remove(`/var/cache/apt/${name}`);
  for (const name of list(at("/var/cache/apt/archives"))) if (name.endsWith(".deb")) remove(`/var/cache/apt/archives/${name}`);
  for (const name of list(at("/var/cache/apt/archives/partial"))) remove(`/var/cache/apt/archives/partial/${name}`);
  for (const name of list(at("/var/cache/debconf"))) if (name.endsWith("-old")) remove(`/var/cache/debconf/${name}`);
  for (const dir of ["/tmp", "/var/tmp"]) for (const name of list(at(dir))) remove(`${dir}/${name}`);
  remove("/etc/ssl/private/ssl-cert-snakeoil.key");
  remove("/etc/ssl/certs/ssl-cert-snakeoil.pem");
  changed.push(...emptyLogs(rootDir, "/var/log"));
  return changed;
}

// Replaces every password hash (or empty password) with `!`, keeping `*`, `!` and `!*` as they are.
export function lockPasswords(shadow: string): string {
  return shadow
    .split("\n")
    .map((line) => {
      const fields = line.split(":");
      if (fields.length < 2 || ["*", "!", "!*"].includes(fields[1]!)) return line;
      fields[1] = "!";
      return fields.join(":");
    })
    .join("\n");
}

// Truncates logs (keeping their owner and mode, which services expect) and deletes rotated ones.
function emptyLogs(rootDir: string, dir: string): string[] {
  const changed: string[] = [];
  for (const name of list(join(rootDir, dir))) {
    const path = `${dir}/${name}`;
    const stat = lstatSync(join(rootDir, path));
    if (stat.isDirectory()) changed.push(...emptyLogs(rootDir, path));
    else if (!stat.isFile()) continue;
    else if (/\.(gz|xz|old|\d+)$/.test(name) || dir.startsWith("/var/log/journal")) {
      rmSync(join(rootDir, path));
      changed.push(path);
    } else if (stat.size > 0) {
      truncateSync(join(rootDir, path));
      changed.push(path);
    }
  }
  return changed;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
