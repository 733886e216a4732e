// User data for the builder and smoke instances: installs the SSM agent at first boot when it is missing.
//
// The build drives its instances through SSM Run Command only (no SSH, no open port), but Debian's
// official AMIs do not ship the agent (Amazon Linux and Ubuntu do), so a builder started from them would
// never come online. cloud-init runs a `#!/bin/sh` user-data script once per instance, late in the boot
// (network up): the script fetches the agent's .deb from AWS's bucket in the instance's own region (https
// only, retried), installs it and starts it. It does nothing but (re)start the agent where it is already
// installed, which is the case on the smoke instance: the agent stays in the image (the guide tells users to
// attach an SSM role to use Systems Manager); only its per-instance state is sealed away (seal-at-stop.ts).
// User data is readable by anyone who may describe the instance and from IMDS: it must hold no secret.

/** The agent package's URL for a region and architecture (AWS's documented per-region bucket). */
export function ssmAgentPackageUrl(region: string, arch: "amd64" | "arm64"): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`not an AWS region name: ${JSON.stringify(region)}`);
  return `https://s3.${region}.amazonaws.com/amazon-ssm-${region}/latest/debian_${arch}/amazon-ssm-agent.deb`;
}

// The user-data script (pure; POSIX sh, as cloud-init runs it with its shebang).
export function renderSsmAgentUserData(region: string, arch: "amd64" | "arm64"): string {
  return `#!/bin/sh
# rtcgw build: installs the AWS SSM agent (Debian's AMIs lack it) unless it is installed, then starts it.
set -eu
# shellcheck disable=SC2016 # \${Status} is dpkg-query's field, not a shell variable
if ! dpkg-query -W -f='\${Status}\\n' amazon-ssm-agent 2>/dev/null | grep -qx 'install ok installed'; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	curl -fsS --proto '=https' --tlsv1.2 --connect-timeout 10 --retry 10 --retry-delay 5 --retry-all-errors \\
		-o "$work/amazon-ssm-agent.deb" '${ssmAgentPackageUrl(region, arch)}'
	# At first boot apt (unattended-upgrades, cloud-init) may hold the dpkg lock for a while.
	tries=0
	until dpkg -i "$work/amazon-ssm-agent.deb"; do
		tries=$((tries + 1))
		if [ "$tries" -ge 30 ]; then
			echo "rtcgw: dpkg -i amazon-ssm-agent.deb failed $tries times" >&2
			exit 1
		fi
		sleep 10
	done
	systemctl daemon-reload
fi
systemctl enable --now amazon-ssm-agent
`;
}
