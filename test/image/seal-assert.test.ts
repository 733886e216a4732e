import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { assertSealed } from "../../image/seal/assert-sealed.ts";
import { sealRootfs } from "../../image/seal/seal-rootfs.ts";
import { requireBinary } from "../harness/require-binary.ts";

// A small tree that looks like a sealed Debian rootfs.
function makeCleanTree(): string {
  const root = mkdtempSync(join(tmpdir(), "rtcgw-seal-"));
  const files: Record<string, string> = {
    "etc/hostname": "localhost\n",
    "etc/machine-id": "",
    "etc/resolv.conf": "",
    "etc/shadow": "root:*:19000:0:99999:7:::\nsbcadmin:!:19000:0:99999:7:::\n",
    "etc/gshadow": "root:*::\n",
    "etc/ssh/sshd_config": "PermitRootLogin no\n",
    "var/log/wtmp": "",
    "usr/local/bin/fetch-license":
      "#!/bin/sh\nTOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')\ncurl -sH \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/instance-id\n",
  };
  for (const [path, content] of Object.entries(files)) plant(root, path, content);
  return root;
}

function plant(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function pemPrivateKey(): string {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

test("a clean tree has no seal violations", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(assertSealed(root), []);
});

test("a planted SSH host key is reported with its path", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const keygen = requireBinary("ssh-keygen", "openssh-client");
  mkdirSync(join(root, "etc/ssh"), { recursive: true });
  execFileSync(keygen, ["-q", "-t", "ed25519", "-N", "", "-f", join(root, "etc/ssh/ssh_host_ed25519_key")]);
  const violations = assertSealed(root);
  assert.ok(
    violations.some((v) => v.rule === "ssh-host-key" && v.path === "/etc/ssh/ssh_host_ed25519_key"),
    JSON.stringify(violations),
  );
  assert.ok(violations.some((v) => v.rule === "ssh-host-key" && v.path === "/etc/ssh/ssh_host_ed25519_key.pub"));
  assert.ok(
    violations.some((v) => v.rule === "ssh-private-key" && v.path === "/etc/ssh/ssh_host_ed25519_key"),
    "the OpenSSH key block is found by content too",
  );
});

test("a private key planted anywhere, under any name, is reported with its path", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  plant(root, "opt/app/config/innocent.txt", `settings\n${pemPrivateKey()}more\n`);
  plant(root, "usr/lib/blob.bin", Buffer.concat([Buffer.from([0, 1, 2, 0x7f]), Buffer.from(pemPrivateKey()), Buffer.from([0, 0])]));
  const paths = assertSealed(root)
    .filter((v) => v.rule === "private-key")
    .map((v) => v.path);
  assert.deepEqual(paths, ["/opt/app/config/innocent.txt", "/usr/lib/blob.bin"]);
});

test("PEM headers without a key body (strings in a TLS library) are not keys", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  plant(root, "usr/lib/libtls.so", Buffer.from("\x7fELF\0-----BEGIN PRIVATE KEY-----\0-----END PRIVATE KEY-----\0"));
  assert.deepEqual(assertSealed(root), []);
});

test("a key inside a file exactly as its Debian package ships it is not reported; a changed one is", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const shipped = `self-test vector\n${pemPrivateKey()}`;
  plant(root, "usr/lib/x86_64-linux-gnu/libgnutls.so.30", shipped);
  plant(root, "var/lib/dpkg/info/libgnutls30:amd64.md5sums", `${createHash("md5").update(shipped).digest("hex")}  usr/lib/x86_64-linux-gnu/libgnutls.so.30\n`);
  assert.deepEqual(assertSealed(root), []);
  plant(root, "usr/lib/x86_64-linux-gnu/libgnutls.so.30", `${shipped}changed`);
  assert.deepEqual(
    assertSealed(root).map((v) => v.path),
    ["/usr/lib/x86_64-linux-gnu/libgnutls.so.30"],
  );
});

test("authorized_keys, credentials, password hashes, machine-id, history, logs and host identity are each reported", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  plant(root, "root/.ssh/authorized_keys", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDk builder\n");
  plant(
    root,
    "root/.aws/credentials",
    "[default]\naws_access_key_id = AKIAQWERTYUIOPASDFGH\naws_secret_access_key = abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123\n",
  );
  plant(root, "etc/shadow", "root:$6$salt$hash:19000:0:99999:7:::\nadmin::19000:0:99999:7:::\n");
  plant(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  plant(root, "root/.bash_history", "curl secret\n");
  plant(root, "var/log/apt/history.log", "Start-Date: today\n");
  plant(root, "etc/hostname", "build-host-7\n");
  plant(root, "etc/resolv.conf", "search corp.internal\nnameserver 10.1.2.3\n");
  plant(root, "var/lib/systemd/random-seed", "seed");
  plant(root, "var/lib/cloud/instances/i-0abc/boot-finished", "");
  const found = new Set(assertSealed(root).map((v) => `${v.rule} ${v.path}`));
  for (const expected of [
    "authorized-keys /root/.ssh/authorized_keys",
    "credential /root/.aws/credentials",
    "password-hash /etc/shadow",
    "machine-id /etc/machine-id",
    "shell-history /root/.bash_history",
    "log /var/log/apt/history.log",
    "hostname /etc/hostname",
    "resolv-conf /etc/resolv.conf",
    "random-seed /var/lib/systemd/random-seed",
    "cloud-init-state /var/lib/cloud/instances",
  ]) {
    assert.ok(found.has(expected), `missing ${expected} in ${[...found].join(", ")}`);
  }
  assert.equal(assertSealed(root).filter((v) => v.rule === "password-hash").length, 2, "a hash and an empty password");
});

test("IMDS access without an IMDSv2 token is reported; with a token it is not", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  plant(root, "usr/local/bin/old-agent", "#!/bin/sh\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\n");
  assert.deepEqual(
    assertSealed(root).map((v) => `${v.rule} ${v.path}`),
    ["imds-v1 /usr/local/bin/old-agent"],
  );
});

test("sealRootfs removes host state and keys; what it cannot judge stays a violation", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const keygen = requireBinary("ssh-keygen", "openssh-client");
  execFileSync(keygen, ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", join(root, "etc/ssh/ssh_host_rsa_key")]);
  plant(root, "root/.ssh/authorized_keys", "ssh-ed25519 AAAA builder\n");
  plant(root, "etc/shadow", "root:$6$salt$hash:19000:0:99999:7:::\nsbcadmin:!:19000:::::\n");
  plant(root, "etc/shadow-", "root:$6$salt$hash:19000:0:99999:7:::\n");
  plant(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  plant(root, "etc/hostname", "vm\n");
  plant(root, "etc/resolv.conf", "nameserver 10.255.255.53\n");
  plant(root, "root/.bash_history", "ls\n");
  plant(root, "var/log/dpkg.log", "install x\n");
  plant(root, "var/log/dpkg.log.1", "old\n");
  plant(root, "var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease", "lists");
  plant(root, "var/cache/apt/archives/kamailio_5.6.3_amd64.deb", "deb");
  plant(root, "var/cache/apt/pkgcache.bin", "bin");
  plant(root, "var/lib/cloud/instances/i-0abc/boot-finished", "");
  plant(root, "opt/vendor/key.pem", pemPrivateKey());
  assert.ok(sealRootfs(root).length > 0);
  assert.deepEqual(
    assertSealed(root).map((v) => `${v.rule} ${v.path}`),
    ["private-key /opt/vendor/key.pem"],
  );
  assert.match(readFileSync(join(root, "etc/shadow"), "utf8"), /^root:!:19000/);
  assert.equal(readFileSync(join(root, "var/log/wtmp"), "utf8"), "", "logs are emptied, not deleted");
});

test("IMDS use is judged wherever the image's own files are, but not in files a Debian package ships unchanged", (t) => {
  const root = makeCleanTree();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const script = "#!/bin/sh\nwget -qO- http://169.254.169.254/latest/meta-data/public-ipv4\n";
  plant(root, "usr/libexec/rtcgw/start-rtpengine", script);
  plant(root, "usr/lib/python3/dist-packages/cloudinit/sources/DataSourceEc2.py", script);
  plant(
    root,
    "var/lib/dpkg/info/cloud-init.md5sums",
    `${createHash("md5").update(script).digest("hex")}  usr/lib/python3/dist-packages/cloudinit/sources/DataSourceEc2.py\n`,
  );
  assert.deepEqual(
    assertSealed(root).map((v) => `${v.rule} ${v.path}`),
    ["imds-v1 /usr/libexec/rtcgw/start-rtpengine"],
  );
});
