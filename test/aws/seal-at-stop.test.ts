import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { renderSealScript } from "../../image/builders/aws/seal-at-stop.ts";
import { assertSealed } from "../../image/seal/assert-sealed.ts";
import { makeTempDir } from "../make-temp-dir.ts";
import { runScript } from "./run-shell.ts";

// A builder's disk after provisioning, as far as the seal cares: the SSM agent's state from the provisioning command
// (its document holds the presigned bundle URL), host keys, histories, password hashes, apt lists, logs.
const presignedUrl =
  "https://rtcgw-111122223333-us-east-1.s3.us-east-1.amazonaws.com/staging/b1/bundle.tar.gz?X-Amz-Credential=ASIAXAMPLEXAMPLEXAMP%2F20260115";
const builderTree: Record<string, string> = {
  "var/lib/amazon/ssm/i-0builder/document/orchestration/cmd-1/awsrunShellScript/0.awsrunShellScript/_script.sh": `curl -fsS -o b '${presignedUrl}'\n`,
  "var/lib/amazon/ssm/i-0builder/document/state/completed/cmd-1": "{}\n",
  "var/lib/amazon/ssm/ipc/termination/.lock": "",
  "var/lib/amazon/ssm/registration": '{"ManagedInstanceID":"i-0builder","Region":"us-east-1"}\n',
  "var/lib/amazon/ssm/credentials": '{"AccessKeyId":"ASIAXAMPLEXAMPLEXAMP"}\n',
  "var/log/amazon/ssm/amazon-ssm-agent.log": "INFO [ssm-agent-worker] registered i-0builder\n",
  "var/log/amazon/ssm/errors.log": "ERROR\n",
  "etc/amazon/ssm/seelog.xml": "<seelog/>\n",
  "usr/bin/amazon-ssm-agent": "binary\n",
  "etc/ssh/ssh_host_ed25519_key":
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n",
  "etc/ssh/ssh_host_ed25519_key.pub": "ssh-ed25519 AAAA root@ip-172-31-5-9\n",
  "etc/ssh/sshd_config": "PermitRootLogin no\n",
  "root/.bash_history": "history\n",
  "home/admin/.ssh/authorized_keys": "ssh-ed25519 AAAA someone\n",
  "home/admin/.cache/motd.legal-displayed": "",
  "etc/shadow": "root:*:19000:0:99999:7:::\nadmin:$6$salt$hash:19000:0:99999:7:::\nsbcadmin::19000:0:99999:7:::\n_rtcgw:!:19000::::::\n",
  "etc/gshadow": "root:*::\nadm:$6$x$y::admin\n",
  "etc/shadow-": "admin:$6$old$hash:19000:0:99999:7:::\n",
  "var/backups/passwd.bak": "root:x:0:0::/root:/bin/sh\n",
  "etc/machine-id": "0123456789abcdef0123456789abcdef\n",
  "var/lib/systemd/random-seed": "seed",
  "var/lib/cloud/instances/i-0builder/user-data.txt": "#!/bin/sh\n",
  "var/lib/cloud/data/instance-id": "i-0builder\n",
  "etc/hostname": "ip-172-31-5-9\n",
  "etc/hosts": "127.0.0.1 localhost\n172.31.5.9 ip-172-31-5-9\n",
  "var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease": "x",
  "var/lib/apt/lists/lock": "",
  "var/lib/apt/lists/partial/half": "x",
  "var/cache/apt/pkgcache.bin": "x",
  "var/cache/apt/archives/kamailio_5.6.3_amd64.deb": "x",
  "var/cache/debconf/config.dat-old": "x",
  "var/tmp/rtcgw-bundle.abc123/provision.sh": "x",
  "tmp/.hidden": "x",
  "var/log/syslog": "boot of the builder\n",
  "var/log/dpkg.log.1": "x",
  "var/log/apt/history.log.2.gz": "x",
  "var/log/cloud-init-output.log": "installing amazon-ssm-agent\n",
  "var/log/journal/0123/system.journal": "x",
};

function writeTree(root: string, tree: Record<string, string>): void {
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

test("the seal empties the SSM agent's state and logs (the agent itself stays), and leaves what the local seal's scanner accepts (real sh)", async (t) => {
  const root = join(makeTempDir(t, "rtcgw-seal-"), "disk");
  writeTree(root, builderTree);
  chmodSync(join(root, "var/log/syslog"), 0o640);
  assert.ok(assertSealed(root).length > 10, "the builder's disk is far from sealed");
  const script = join(root, "..", "seal.sh");
  writeFileSync(script, renderSealScript());

  const run = await runScript(`sh ${script} ${root}/`, {});
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /rtcgw-seal: sealed$/m);
  assert.deepEqual(readdirSync(join(root, "var/lib/amazon/ssm")), [], "registration, credentials, IPC and documents (the presigned URL) are gone");
  assert.deepEqual(readdirSync(join(root, "var/log/amazon/ssm")), []);
  assert.ok(existsSync(join(root, "usr/bin/amazon-ssm-agent")) && existsSync(join(root, "etc/amazon/ssm/seelog.xml")), "the agent and its configuration stay");
  assert.deepEqual(assertSealed(root), [], "the local seal's scanner finds nothing");
  assert.equal(
    readFileSync(join(root, "etc/shadow"), "utf8"),
    "root:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\nsbcadmin:!:19000:0:99999:7:::\n_rtcgw:!:19000::::::\n",
  );
  assert.equal(readFileSync(join(root, "etc/machine-id"), "utf8"), "");
  assert.equal(readFileSync(join(root, "etc/hostname"), "utf8"), "localhost\n");
  assert.deepEqual(readdirSync(join(root, "var/lib/apt/lists")).sort(), ["lock", "partial"]);
  assert.deepEqual(readdirSync(join(root, "var/lib/cloud")), []);
  assert.deepEqual([readdirSync(join(root, "tmp")), readdirSync(join(root, "var/tmp"))], [[], []]);
  assert.ok(existsSync(join(root, "etc/ssh/sshd_config")), "only host keys leave /etc/ssh");
  const syslog = statSync(join(root, "var/log/syslog"));
  assert.deepEqual([syslog.size, syslog.mode & 0o777], [0, 0o640], "logs are emptied, their mode kept");
  assert.equal(existsSync(join(root, "var/log/dpkg.log.1")) || existsSync(join(root, "var/log/apt/history.log.2.gz")), false, "rotated logs are deleted");

  const again = await runScript(`sh ${script} ${root}`, {});
  assert.equal(again.code, 0, `a second run finds nothing to do and does not fail: ${again.output}`);
});

test("the seal refuses to run without the root it seals (no default: a slip must never seal the machine running it)", async (t) => {
  const dir = makeTempDir(t, "rtcgw-seal-");
  writeFileSync(join(dir, "seal.sh"), renderSealScript());
  for (const args of ["", "''"]) {
    const run = await runScript(`sh ${join(dir, "seal.sh")} ${args}`, {});
    assert.equal(run.code, 2, run.output);
    assert.match(run.output, /usage: seal\.sh ROOT/);
  }
});
