// build-ami installs the [build] packages of debian-packages.txt that are missing or too old, saying which
// first, and refuses with --no-install. Run in a private mount namespace over a copy of dpkg's database in
// which mmdebstrap is not installed and qemu-utils is Debian 12's own 7.2 (the list wants 10.0, from
// bookworm-backports on Debian 12): apt-get really installs them (the same versions, into the same files),
// and the copy, not this machine's database, records it. A 1 MiB output directory stops the build there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { makeTempDir } from "../make-temp-dir.ts";
import { readHostCodename } from "../../image/builders/local/debian-packages.ts";
import { projectDir } from "./run-cli.ts";

const dpkgStanza = (status: string, name: string) => status.split("\n\n").find((stanza) => stanza.startsWith(`Package: ${name}\n`));
const debian12Qemu = "1:7.2+dfsg-7+deb12u18+b3";
const codename = readHostCodename();
// On Debian 12 qemu-utils comes from bookworm-backports; elsewhere (Debian 13) from the release.
const qemuUtils = codename === "bookworm" ? "qemu-utils/bookworm-backports" : "qemu-utils";
const sourcesNeeded = codename === "bookworm" ? "bookworm-backports among apt's sources (https://backports.debian.org/Instructions/)" : "";
const sources = sourcesNeeded ? ` (with ${sourcesNeeded})` : "";

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
  const qemuStanza = dpkgStanza(status, "qemu-utils")!;
  writeFileSync(
    join(dpkg, "status"),
    status.replace(`${dpkgStanza(status, "mmdebstrap")}\n\n`, "").replace(qemuStanza, qemuStanza.replace(/^Version: .*$/m, `Version: ${debian12Qemu}`)),
  );
  assert.equal(dpkgStanza(readFileSync(join(dpkg, "status"), "utf8"), "mmdebstrap"), undefined);
  const wanted = `mmdebstrap qemu-utils (${debian12Qemu} installed, at least 1:10.0 needed)`;
  const command = `apt-get install -y --no-install-recommends mmdebstrap ${qemuUtils}`;
  const out = join(dir, "out");
  mkdirSync(out);

  const plan = await buildAmiWithoutMmdebstrap(dpkg, out, ["--dry-run"]);
  assert.equal(plan.exitCode, 0, plan.stderr);
  assert.ok(plan.stdout.includes(`\nInstalls first: ${wanted} (${command}${sourcesNeeded ? `, with ${sourcesNeeded}` : ""})\n`), plan.stdout);

  const refused = await buildAmiWithoutMmdebstrap(dpkg, out, ["--no-install"]);
  assert.equal(refused.exitCode, 1);
  assert.equal(
    refused.stderr,
    `rtcgw build-ami cannot build here yet:\n  - Debian packages the build needs are not installed: ${wanted}; install them with \`${command}${sources}\` (or run build-ami as root without --no-install)`,
  );

  const installed = await buildAmiWithoutMmdebstrap(dpkg, out, []);
  assert.equal(installed.exitCode, 1, "the 1 MiB output directory stops the build after the install");
  assert.ok(
    installed.stderr.startsWith(`Installing the Debian packages the build needs (from debian-packages.txt): ${wanted}\n  ${command}${sources}\n`),
    installed.stderr,
  );
  assert.match(installed.stderr, /^ {2}apt: Setting up mmdebstrap /m);
  assert.match(installed.stderr, /^ {2}apt: Setting up qemu-utils \(1:10\./m);
  assert.match(installed.stderr, /^Installed mmdebstrap qemu-utils\nrtcgw build-ami cannot build here yet:\n {2}- only 0\.0 GiB free in /m);
  const after = readFileSync(join(dpkg, "status"), "utf8");
  assert.match(dpkgStanza(after, "mmdebstrap") ?? "", /^Status: install ok installed$/m);
  assert.match(dpkgStanza(after, "qemu-utils") ?? "", /^Version: 1:10\./m);
});
