// The seal of AWS images: what image/seal/seal-rootfs.ts does to the local builder's rootfs, done on the
// builder instance itself, plus the SSM agent's per-instance state.
//
// Why at stop, not as the last command of provisioning: provisioning runs inside an SSM Run Command, and
// the agent running it keeps its registration, credentials, IPC channels and the command's own document
// and output under /var/lib/amazon/ssm (the document holds the bundle's presigned URL). Removing them
// under the running command would break its status and output upload; removing only what looks safe
// would leave the rest in the image. So the provisioning command only arms the seal: it puts a script and
// a oneshot unit under /run (a tmpfs: neither ends up in the image) and starts the unit. StopInstances
// shuts the builder down; the unit is ordered before the SSM agent, so it stops after it, and its
// ExecStop seals the disk once the agent is gone and nothing is running a command any more. CreateImage
// then snapshots the stopped, sealed disk. The smoke test checks the result on a fresh instance.

import { homeLeftoverNames } from "../../seal/history-files.ts";

/** The unit that seals the builder when it stops; it lives in /run only. */
export const sealUnitName = "rtcgw-seal.service";
const scriptPath = "/run/rtcgw-seal/seal.sh";
const neutralHosts = "127.0.0.1\\tlocalhost\\n::1\\t\\tlocalhost ip6-localhost ip6-loopback\\nff02::1\\t\\tip6-allnodes\\nff02::2\\t\\tip6-allrouters\\n";

// The seal script (pure; POSIX sh). It takes the root to seal as its only argument: `/` at shutdown, a
// temp tree in tests (no default, so that no slip ever seals the machine it runs on).
export function renderSealScript(): string {
  return `#!/bin/sh
# rtcgw build: seals the builder's disk for CreateImage, run by ${sealUnitName} as the builder stops.
set -eu
umask 077
if [ "$#" -ne 1 ] || [ -z "$1" ]; then
	echo "usage: seal.sh ROOT" >&2
	exit 2
fi
root=\${1%/}
empty_dir() {
	if [ -d "$1" ]; then
		find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	fi
}
echo "rtcgw-seal: sealing \${root:-/}"

# SSM agent: the package stays (instances with an SSM role are managed); this instance's registration,
# credentials, IPC, command documents and output, and the agent's logs go. Each instance starts afresh.
empty_dir "$root/var/lib/amazon/ssm"
empty_dir "$root/var/log/amazon/ssm"

# SSH host keys (first boot makes new ones), keys and shell histories in home folders.
rm -f "$root"/etc/ssh/ssh_host_*_key "$root"/etc/ssh/ssh_host_*_key.pub
for home in "$root/root" "$root"/home/*; do
	[ -d "$home" ] || continue
	rm -rf "$home/.ssh/authorized_keys" "$home/.ssh/authorized_keys2"${homeLeftoverNames.map((name) => ` "$home/${name}"`).join("")}
done

# Accounts: every password locked (\`*\`, \`!\` and \`!*\` kept), backups of the account files removed.
for file in "$root/etc/shadow" "$root/etc/gshadow"; do
	[ -f "$file" ] || continue
	awk 'BEGIN { FS = OFS = ":" } NF >= 2 && $2 != "*" && $2 != "!" && $2 != "!*" { $2 = "!" } { print }' "$file" > "$file.rtcgw-seal"
	cat "$file.rtcgw-seal" > "$file"
	rm -f "$file.rtcgw-seal"
done
rm -f "$root/etc/shadow-" "$root/etc/gshadow-" "$root/etc/passwd-" "$root/etc/group-" "$root/etc/subuid-" "$root/etc/subgid-"
empty_dir "$root/var/backups"

# Machine identity: systemd makes a machine-id at each instance's first boot, cloud-init starts afresh.
# /etc/resolv.conf stays: on EC2 it names the VPC resolver and the boot's network setup owns it.
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/var/lib/systemd/random-seed" "$root/var/lib/systemd/credential.secret"
empty_dir "$root/var/lib/cloud"
printf 'localhost\\n' > "$root/etc/hostname"
printf '${neutralHosts}' > "$root/etc/hosts"

# apt lists and caches (stale at launch: \`apt-get update\` fetches fresh ones), temp files, snakeoil key.
for path in "$root"/var/lib/apt/lists/* "$root"/var/lib/apt/lists/partial/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \\
	"$root"/var/cache/apt/archives/partial/* "$root"/var/cache/debconf/*-old; do
	case "$path" in
		*/var/lib/apt/lists/lock | */var/lib/apt/lists/partial) ;;
		*) rm -rf "$path" ;;
	esac
done
empty_dir "$root/tmp"
empty_dir "$root/var/tmp"
rm -f "$root/etc/ssl/private/ssl-cert-snakeoil.key" "$root/etc/ssl/certs/ssl-cert-snakeoil.pem"

# Logs: the journal moves to /run for the rest of the shutdown; rotated logs and journal files are
# deleted, the others emptied (services expect their owner and mode).
if [ -z "$root" ]; then
	journalctl --relinquish-var || true
fi
if [ -d "$root/var/log" ]; then
	find "$root/var/log" -type f \\( -path "$root/var/log/journal/*" -o -name '*.gz' -o -name '*.xz' -o -name '*.old' \\
		-o -name '*.[0-9]' -o -name '*.[0-9][0-9]' -o -name '*.[0-9][0-9][0-9]' \\) -exec rm -f {} +
	find "$root/var/log" -type f -size +0 -exec truncate -s 0 {} +
fi
echo "rtcgw-seal: sealed"
`;
}

// The unit (pure): active from `systemctl start` to the shutdown, when its ExecStop seals. Ordered before
// the SSM agent (and what may still write at shutdown), so that those stop first.
export function renderSealUnit(): string {
  return `[Unit]
Description=rtcgw build: seal the disk for CreateImage when the builder stops
Before=amazon-ssm-agent.service unattended-upgrades.service cloud-final.service ssh.service cron.service
RequiresMountsFor=/etc /var/lib /var/log

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
ExecStop=/bin/sh ${scriptPath} /
TimeoutStopSec=300
StandardOutput=journal+console
StandardError=journal+console
`;
}

// Commands appended to the provisioning command (after provision.sh succeeded): install the script and
// the unit under /run and start the unit. Nothing is removed here.
export function renderArmSealCommands(): string[] {
  const unitPath = `/run/systemd/system/${sealUnitName}`;
  return [
    `install -d -m 0700 ${scriptPath.slice(0, scriptPath.lastIndexOf("/"))}`,
    `cat > ${scriptPath} <<'RTCGW_SEAL'\n${renderSealScript()}RTCGW_SEAL`,
    "install -d -m 0755 /run/systemd/system",
    `cat > ${unitPath} <<'RTCGW_SEAL'\n${renderSealUnit()}RTCGW_SEAL`,
    `chmod 0644 ${unitPath}`,
    "systemctl daemon-reload",
    `systemctl start ${sealUnitName}`,
    `echo 'rtcgw: ${sealUnitName} seals the disk when the builder stops'`,
  ];
}
