// Pure: the `unshare` command line that runs a command inside a rootfs with private mount and pid
// namespaces (and optionally a private network), so that every mount and process it creates dies
// with it, on success, failure or Ctrl-C alike.

/** A directory or file of the host made visible inside the rootfs for one run. */
export interface BindMount {
  /** Host path. */
  from: string;
  /** Absolute path inside the rootfs. */
  to: string;
  /** @default false */
  readOnly?: boolean;
}

/** One command run inside a rootfs. */
export interface NamespaceRun {
  /** The rootfs directory. */
  rootDir: string;
  /** When set, the run sees an overlay of the rootfs (upper and work dirs under this directory); the rootfs stays untouched. */
  overlayDir?: string;
  /** Private network namespace with only loopback (up). @default false */
  privateNetwork?: boolean;
  /** Extra bind mounts, applied after /proc, /dev, /sys, /run and /tmp. */
  binds?: BindMount[];
  /** Run the command inside `chroot` (default) or on the host with `RTCGW_ROOT` naming the (merged) rootfs. */
  chroot?: boolean;
  command: string[];
}

// Quotes one word for bash.
export function quoteShell(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

// The bash script that sets up the mounts and execs the command (given as "$@").
export function renderNamespaceScript(run: NamespaceRun): string {
  // A private hostname too: package scripts and audits must not see (or bake in) the build host's.
  const lines = ["set -euo pipefail", "hostname localhost", `root=${quoteShell(run.rootDir)}`];
  if (run.overlayDir !== undefined) {
    lines.push(
      `ov=${quoteShell(run.overlayDir)}`,
      `mkdir -p "$ov/upper" "$ov/work" "$ov/merged"`,
      `mount -t overlay overlay -o "lowerdir=$root,upperdir=$ov/upper,workdir=$ov/work" "$ov/merged"`,
      `root="$ov/merged"`,
    );
  }
  lines.push(
    // The host's /proc shows the host's pids: tools that take a pid (ip, nsenter) need this namespace's.
    "mount -t proc proc /proc",
    `mount -t proc proc "$root/proc"`,
    `mount --rbind /dev "$root/dev"`,
    `mount -t sysfs sysfs "$root/sys"`,
    `mount -t tmpfs -o mode=755 tmpfs "$root/run"`,
    `mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"`,
  );
  for (const bind of run.binds ?? []) {
    const from = quoteShell(bind.from);
    const to = `"$root"${quoteShell(bind.to)}`;
    lines.push(`if [ -d ${from} ]; then mkdir -p ${to}; else mkdir -p "$(dirname ${to})"; touch ${to}; fi`);
    lines.push(`mount --bind ${from} ${to}`);
    if (bind.readOnly) lines.push(`mount -o remount,bind,ro ${to}`);
  }
  if (run.privateNetwork) lines.push("ip link set lo up");
  lines.push(`export RTCGW_ROOT="$root"`);
  lines.push(run.chroot === false ? `exec "$@"` : `exec chroot "$root" "$@"`);
  return lines.join("\n");
}

// The full argv: unshare (killing the whole namespace when it dies), bash, the script, the command.
export function renderNamespaceCommand(run: NamespaceRun): string[] {
  return [
    "unshare",
    "--mount",
    "--propagation=private",
    "--pid",
    "--uts",
    "--fork",
    "--kill-child",
    ...(run.privateNetwork ? ["--net"] : []),
    "--",
    "bash",
    "-c",
    renderNamespaceScript(run),
    "rtcgw-ns",
    ...run.command,
  ];
}
