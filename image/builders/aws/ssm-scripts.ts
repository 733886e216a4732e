import type { Recipe } from "../../../dsl/resolve.ts";
import { runtimeEnvPath, runtimeEnvVariables } from "../../../gateway/systemd/runtime-env.ts";

/** Where a command script keeps its log while it runs: /run is a tmpfs, so nothing of it ends up in an image (and it is removed on exit). */
export const commandLogDir = "/run/rtcgw-log";

// The lines that follow `set -eu` in a Run Command script: everything the rest of the script writes (stdout and stderr)
// goes through `tee` both to SSM (which keeps the first 24,000 characters) and to `<commandLogDir>/<name>.log`; on exit,
// success or failure, the EXIT trap waits for tee (30 s at most: a background process may hold the pipe), uploads the
// file with curl to `logPutUrl` (a presigned PUT signed by the operator: the instance's role needs no S3 permission),
// removes it and exits with the script's own status: a failed upload is reported, never the script's failure.
export function renderLogCapture(name: string, logPutUrl: string): string[] {
  const log = `"$rtcgw_log_dir/${name}.log"`;
  return [
    "umask 077",
    `rtcgw_log_dir=${commandLogDir}`,
    'rm -rf "$rtcgw_log_dir" && mkdir -p "$rtcgw_log_dir" && mkfifo "$rtcgw_log_dir/pipe"',
    `tee ${log} < "$rtcgw_log_dir/pipe" &`,
    "rtcgw_tee=$!",
    'exec 3>&1 4>&2 >"$rtcgw_log_dir/pipe" 2>&1',
    [
      "rtcgw_upload_log() {",
      "\trtcgw_status=$?",
      "\tset +e",
      "\texec 1>&3 2>&4 3>&- 4>&-",
      '\t( sleep 30; kill "$rtcgw_tee" ) >/dev/null 2>&1 &',
      "\trtcgw_watchdog=$!",
      '\twait "$rtcgw_tee"',
      '\tkill "$rtcgw_watchdog" 2>/dev/null',
      `\tcurl -fsS --retry 3 -T ${log} ${shellQuote(logPutUrl)} || echo 'rtcgw: the full log could not be uploaded to S3' >&2`,
      '\trm -rf "$rtcgw_log_dir"',
      '\texit "$rtcgw_status"',
      "}",
    ].join("\n"),
    "trap rtcgw_upload_log EXIT",
  ];
}

// The Run Command script that fetches the bundle through its presigned URL, checks its hash and runs provision.sh from
// the bundle root; its whole output is uploaded to `logPutUrl` as it exits (renderLogCapture).
export function renderProvisionCommands(bundleUrl: string, sha256: string, logPutUrl: string): string[] {
  const quoted = shellQuote(bundleUrl);
  return [
    "set -eu",
    ...renderLogCapture("provision", logPutUrl),
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

// The smoke-test script run on an instance started from the candidate AMI, checking what the appliance itself promises:
// - first boot, Kamailio, rtpengine, nftables and the admin service active (after the boot settled);
// - SIP OPTIONS answered on the address Kamailio binds: the instance's private address, which first boot writes as
//   RTCGW_LOCAL_IPV4= into runtime.env (not 127.0.0.1), unless the recipe binds one address;
// - the agent's HTTPS port asks for a login at `/` (401) and serves `/tryit/` (200);
// - the seal intact (no history, no apt lists, no other instance's SSM agent state) and IMDSv1 refused.
// POSIX sh (SSM runs it with /bin/sh); python3 and curl are on Debian's official AMI. Its whole output is uploaded to
// `logPutUrl` as it exits (renderLogCapture).
export function renderSmokeCommands(recipe: Recipe, logPutUrl: string): string[] {
  const { listen } = recipe.gateway;
  const wildcard = listen.address === "0.0.0.0";
  const httpsBase = `https://${wildcard ? "127.0.0.1" : listen.address}:${listen.wss.port}`;
  const sipHost = wildcard
    ? [
        `sip_host=$(sed -n 's/^${runtimeEnvVariables.localAddress}=//p' ${runtimeEnvPath} 2>/dev/null | tail -n 1)`,
        `test -n "$sip_host" || { echo 'smoke: no ${runtimeEnvVariables.localAddress} in ${runtimeEnvPath} (first boot)'; exit 1; }`,
      ]
    : [`sip_host=${shellQuote(listen.address)}`];
  return [
    "set -eu",
    ...renderLogCapture("smoke", logPutUrl),
    "timeout 300 systemctl is-system-running --wait >/dev/null 2>&1 || true",
    'for unit in rtcgw-firstboot kamailio rtpengine-daemon nftables rtcgw-admin; do systemctl is-active --quiet "$unit" || { echo "smoke: $unit is not active"; systemctl status --no-pager --lines=20 "$unit" || true; exit 1; }; done',
    ...sipHost,
    `python3 - "$sip_host" ${listen.sip.ports.from} <<'PY'\n${sipOptionsProbe}\nPY`,
    'https_status() {\n\ttries=0\n\twhile :; do\n\t\tcode=$(curl -sk -o /dev/null -w \'%{http_code}\' --max-time 10 "$1" || true)\n\t\tif [ "$code" != 000 ] || [ "$tries" -ge 30 ]; then break; fi\n\t\ttries=$((tries + 1))\n\t\tsleep 2\n\tdone\n\techo "$code"\n}',
    `code=$(https_status ${httpsBase}/); test "$code" = 401 || { echo "smoke: ${httpsBase}/ answered $code, not 401 (login required)"; exit 1; }`,
    `code=$(https_status ${httpsBase}/tryit/); test "$code" = 200 || { echo "smoke: ${httpsBase}/tryit/ answered $code, not 200"; exit 1; }`,
    "test ! -s /root/.bash_history || { echo 'smoke: /root/.bash_history is not empty'; exit 1; }",
    "test -z \"$(find /var/lib/apt/lists -mindepth 1 -maxdepth 1 ! -name lock ! -name partial -print -quit 2>/dev/null)\" || { echo 'smoke: apt lists were not cleaned'; exit 1; }",
    "token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) || { echo 'smoke: IMDSv2 gave no token'; exit 1; }",
    "self=$(curl -fsS -H \"X-aws-ec2-metadata-token: $token\" http://169.254.169.254/latest/meta-data/instance-id) || { echo 'smoke: IMDSv2 gave no instance id'; exit 1; }",
    'for dir in /var/lib/amazon/ssm/i-*; do if [ -e "$dir" ] && [ "${dir##*/}" != "$self" ]; then echo "smoke: $dir: SSM agent state of another instance (the builder) is in the image"; exit 1; fi; done',
    'code=$(curl -s -o /dev/null -w \'%{http_code}\' http://169.254.169.254/latest/meta-data/ || true); test "$code" = 401 || { echo "smoke: IMDSv1 answered $code"; exit 1; }',
    "echo 'rtcgw: smoke passed'",
  ];
}

// SIP OPTIONS over UDP to argv[1]:argv[2] from a connected socket, its own address in Via with `rport` (Kamailio answers
// a Via without rport at the Via's port, where nobody would listen); provisional answers are skipped, up to 6 tries of 5 s.
// Passes on any final answer, as the local smoke test does: the status is printed.
const sipOptionsProbe = [
  "import socket,sys",
  "host,port=sys.argv[1],int(sys.argv[2])",
  "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(5);s.connect((host,port))",
  "me,mine=s.getsockname()",
  "m=('OPTIONS sip:%s:%d SIP/2.0\\r\\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bKrtcgwsmoke;rport\\r\\nMax-Forwards: 70\\r\\nFrom: <sip:smoke@%s>;tag=rtcgwsmoke\\r\\n'",
  "   'To: <sip:%s:%d>\\r\\nCall-ID: rtcgw-smoke@%s\\r\\nCSeq: 1 OPTIONS\\r\\nUser-Agent: rtcgw-smoke\\r\\nContent-Length: 0\\r\\n\\r\\n')%(host,port,me,mine,me,host,port,me)",
  "for attempt in range(6):",
  "  s.send(m.encode())",
  "  try:",
  "    line=s.recv(65535).decode('utf-8','replace').split('\\r\\n')[0]",
  "    while line.startswith('SIP/2.0 1'):",
  "      line=s.recv(65535).decode('utf-8','replace').split('\\r\\n')[0]",
  "  except OSError:",
  "    continue",
  "  print('smoke: SIP OPTIONS to %s:%d answered %s'%(host,port,line))",
  "  sys.exit(0 if line[8:9] in ('2','3','4','5','6') else 1)",
  "print('smoke: SIP OPTIONS to %s:%d got no answer'%(host,port))",
  "sys.exit(1)",
].join("\n");

// A word for sh, single-quoted.
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}
