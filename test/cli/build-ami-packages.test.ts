// build-ami installs the [build] packages of debian-packages.txt that are missing, saying which first,
// and refuses with --no-install. Run in a private mount namespace over a copy of dpkg's database in
// which mmdebstrap is not installed: apt-get really installs it (the same version, into the same files),
// and the copy, not this machine's database, records it. A 1 MiB output directory stops the build there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { makeTempDir } from "../make-temp-dir.ts";
import { projectDir } from "./run-cli.ts";

const dpkgStanza = (status: string, name: string) => status.split("\n\n").find((stanza) => stanza.startsWith(`Package: ${name}\n`));

async function buildAmiWithoutMmdebstrap(dpkg: string, out: string, flags: string[]) {
  const script = 'set -e; mount --bind "$1" /var/lib/dpkg; mount -t tmpfs -o size=1m tmpfs "$2"; shift 2; exec "$@"';
  const argv = [
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    script,
    "sh",
    dpkg,
    out,
    process.execPath,
    join(projectDir, "bin/rtcgw.mjs"),
    "build-ami",
    "recipes/gateway.ts",
    "--out",
    out,
    ...flags,
  ];
  const result = await execa("unshare", argv, { cwd: projectDir, reject: false, env: { NO_COLOR: "1" } });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

test("build-ami names a missing build package and refuses with --no-install, else installs it with apt-get first", { timeout: 10 * 60_000 }, async (t) => {
  const dir = makeTempDir(t, "rtcgw-packages-");
  const dpkg = join(dir, "dpkg");
  cpSync("/var/lib/dpkg", dpkg, { recursive: true });
  const status = readFileSync(join(dpkg, "status"), "utf8");
  writeFileSync(join(dpkg, "status"), status.replace(`${dpkgStanza(status, "mmdebstrap")}\n\n`, ""));
  assert.equal(dpkgStanza(readFileSync(join(dpkg, "status"), "utf8"), "mmdebstrap"), undefined);
  const out = join(dir, "out");
  mkdirSync(out);

  const plan = await buildAmiWithoutMmdebstrap(dpkg, out, ["--dry-run"]);
  assert.equal(plan.exitCode, 0, plan.stderr);
  assert.match(plan.stdout, /^Installs first: mmdebstrap \(apt-get install -y --no-install-recommends mmdebstrap\)$/m);

  const refused = await buildAmiWithoutMmdebstrap(dpkg, out, ["--no-install"]);
  assert.equal(refused.exitCode, 1);
  assert.equal(
    refused.stderr,
    "rtcgw build-ami cannot build here yet:\n  - Debian packages the build needs are not installed: mmdebstrap; install them with `apt-get install -y --no-install-recommends mmdebstrap` (or run build-ami as root without --no-install)",
  );

  const installed = await buildAmiWithoutMmdebstrap(dpkg, out, []);
  assert.equal(installed.exitCode, 1, "the 1 MiB output directory stops the build after the install");
  assert.match(
    installed.stderr,
    /^Installing the Debian packages the build needs \(from debian-packages\.txt\): mmdebstrap\n {2}apt-get install -y --no-install-recommends mmdebstrap\n/,
  );
  assert.match(installed.stderr, /^ {2}apt: Setting up mmdebstrap /m);
  assert.match(installed.stderr, /^Installed mmdebstrap\nrtcgw build-ami cannot build here yet:\n {2}- only 0\.0 GiB free in /m);
  assert.match(dpkgStanza(readFileSync(join(dpkg, "status"), "utf8"), "mmdebstrap") ?? "", /^Status: install ok installed$/m);
});
