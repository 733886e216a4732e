import type { Recipe } from "../../../dsl/resolve.ts";

// The Run Command script that fetches the bundle through its presigned URL, checks its hash and runs provision.sh from the bundle root.
export function renderProvisionCommands(bundleUrl: string, sha256: string): string[] {
  const quoted = `'${bundleUrl.replace(/'/g, "'\\''")}'`;
  return [
    "set -eu",
    "export DEBIAN_FRONTEND=noninteractive",
    "work=$(mktemp -d /var/tmp/rtcgw-bundle.XXXXXX)",
    `curl -fsS --retry 5 --retry-all-errors -o "$work/bundle.tar.gz" ${quoted}`,
    `echo "${sha256}  $work/bundle.tar.gz" | sha256sum -c -`,
    'tar -xzf "$work/bundle.tar.gz" -C "$work"',
    'cd "$work" && sh ./provision.sh 2>&1',
    'cd / && rm -rf "$work"',
    "echo 'rtcgw: provision finished'",
  ];
}

// The smoke-test script run on an instance started from the candidate AMI: services up, SIP OPTIONS answered, seal intact, IMDSv1 refused.
export function renderSmokeCommands(recipe: Recipe): string[] {
  const sipPort = recipe.gateway.listen.sip.ports.from;
  const options = [
    "import socket,sys",
    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(5)",
    `m=('OPTIONS sip:127.0.0.1:${sipPort} SIP/2.0\\r\\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKsmoke\\r\\nMax-Forwards: 70\\r\\nFrom: <sip:smoke@127.0.0.1>;tag=1\\r\\nTo: <sip:127.0.0.1>\\r\\nCall-ID: rtcgw-smoke\\r\\nCSeq: 1 OPTIONS\\r\\nContent-Length: 0\\r\\n\\r\\n')`,
    `s.sendto(m.encode(),('127.0.0.1',${sipPort}));d=s.recv(4096).decode();print(d.splitlines()[0]);sys.exit(0 if d.startswith('SIP/2.0 ') else 1)`,
  ].join("\n");
  return [
    "set -eu",
    "for unit in kamailio rtpengine-daemon nftables; do systemctl is-active --quiet \"$unit\" || { echo \"smoke: $unit is not active\"; exit 1; }; done",
    `python3 - <<'PY'\n${options}\nPY`,
    "test ! -s /root/.bash_history || { echo 'smoke: /root/.bash_history is not empty'; exit 1; }",
    "test -z \"$(find /var/lib/apt/lists -mindepth 1 -maxdepth 1 ! -name lock ! -name partial -print -quit 2>/dev/null)\" || { echo 'smoke: apt lists were not cleaned'; exit 1; }",
    "code=$(curl -s -o /dev/null -w '%{http_code}' http://169.254.169.254/latest/meta-data/ || true); test \"$code\" = 401 || { echo \"smoke: IMDSv1 answered $code\"; exit 1; }",
    "echo 'rtcgw: smoke passed'",
  ];
}
