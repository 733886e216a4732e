// debian-packages.txt is the one list of Debian packages (build-ami installs [build], .ci/run both sections):
// it parses, names each package once, holds what the local builder runs, and says which package Debian 12
// takes from bookworm-backports (QEMU 10), which build-ami and .ci/run then install from there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import {
  addBackportsSources,
  debianPackageListPath,
  describeAptSourcesNeeded,
  describeMissingPackage,
  findDebianMirror,
  findMissingDebianPackages,
  parseDebianPackageList,
  readDebianPackageList,
  readHostCodename,
  renderAptInstallCommand,
} from "../../image/builders/local/debian-packages.ts";
import { makeTempDir } from "../make-temp-dir.ts";

const names = (packages: { name: string }[]) => packages.map((p) => p.name);

test("the list parses into [build] and [test], each package once", () => {
  const list = readDebianPackageList();
  for (const needed of ["mmdebstrap", "zstd", "lynis", "openssl", "iproute2", "util-linux", "qemu-system-x86"])
    assert.ok(names(list.build).includes(needed), `[build] has ${needed}`);
  for (const needed of ["kamailio", "rtpengine-daemon", "sip-tester", "chromium"]) assert.ok(names(list.test).includes(needed), `[test] has ${needed}`);
  const all = names([...list.build, ...list.test]);
  assert.deepEqual(
    all.filter((name, i) => all.indexOf(name) !== i),
    [],
    "no package listed twice",
  );
  assert.deepEqual(
    list.build.find((p) => p.name === "qemu-system-x86"),
    { name: "qemu-system-x86", minimumVersion: "1:10.0", backports: "bookworm-backports" },
  );
});

test("a malformed list is refused at its line", () => {
  assert.throws(() => parseDebianPackageList("kamailio\n"), /debian-packages\.txt:1: "kamailio" comes before any \[build\] or \[test\] section/);
  assert.throws(() => parseDebianPackageList("[build]\n[runtime]\n"), /debian-packages\.txt:2: unknown section \[runtime\]/);
  assert.throws(() => parseDebianPackageList("[test]\nfoo bar\n"), /debian-packages\.txt:2: "foo bar" is not a Debian package name/);
  assert.throws(() => parseDebianPackageList("[test]\nqemu-utils >= 1:10 from trixie\n"), /debian-packages\.txt:2: .* is not a Debian package name/);
  assert.throws(
    () => parseDebianPackageList("[build]\n\nqemu-utils from bookworm-backports\n"),
    /debian-packages\.txt:3: "qemu-utils from bookworm-backports" names a backports suite without a minimum version/,
  );
  assert.deepEqual(parseDebianPackageList("# c\n[build]\nzstd # why\n\n[test]\ncurl >= 7.88\nqemu-utils >=1:10.0 from bookworm-backports\n"), {
    build: [{ name: "zstd" }],
    test: [
      { name: "curl", minimumVersion: "7.88" },
      { name: "qemu-utils", minimumVersion: "1:10.0", backports: "bookworm-backports" },
    ],
  });
});

test("a backports line is installed from backports on its own release only, with the suite named for a user", () => {
  const packages = [{ name: "zstd" }, { name: "qemu-utils", minimumVersion: "1:10.0", backports: "bookworm-backports" }];
  assert.equal(renderAptInstallCommand(packages, "bookworm"), "apt-get install -y --no-install-recommends zstd qemu-utils/bookworm-backports");
  assert.equal(renderAptInstallCommand(packages, "trixie"), "apt-get install -y --no-install-recommends zstd qemu-utils");
  assert.equal(renderAptInstallCommand(packages, ""), "apt-get install -y --no-install-recommends zstd qemu-utils");
  assert.equal(describeAptSourcesNeeded(packages, "bookworm"), "bookworm-backports among apt's sources (https://backports.debian.org/Instructions/)");
  assert.equal(describeAptSourcesNeeded(packages, "trixie"), undefined);
  assert.equal(
    describeMissingPackage({ ...packages[1]!, installed: "1:7.2+dfsg-7+deb12u18" }),
    "qemu-utils (1:7.2+dfsg-7+deb12u18 installed, at least 1:10.0 needed)",
  );
  assert.equal(describeMissingPackage({ name: "zstd" }), "zstd");
});

test("the backports suite is added once, on the mirror the release itself uses, and never twice", (t) => {
  const etcApt = makeTempDir(t, "rtcgw-apt-");
  mkdirSync(join(etcApt, "sources.list.d"));
  writeFileSync(
    join(etcApt, "sources.list.d", "debian.sources"),
    "Types: deb deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\nComponents: main\n",
  );
  const qemu = [{ name: "qemu-utils", minimumVersion: "1:10.0", backports: "bookworm-backports" }];
  assert.deepEqual(addBackportsSources(qemu, "trixie", { etcApt }), [], "nothing to add on another release");
  const [file] = addBackportsSources(qemu, "bookworm", { etcApt });
  assert.equal(file, join(etcApt, "sources.list.d", "bookworm-backports.sources"));
  const added = readFileSync(file!, "utf8");
  assert.match(added, /^URIs: http:\/\/mirror\.example\/debian$/m);
  assert.match(added, /^Suites: bookworm-backports$/m);
  assert.match(added, /^Signed-By: \/usr\/share\/keyrings\/debian-archive-keyring\.gpg$/m);
  assert.deepEqual(addBackportsSources(qemu, "bookworm", { etcApt }), [], "a second run finds it");
  assert.deepEqual(readdirSync(join(etcApt, "sources.list.d")).sort(), ["bookworm-backports.sources", "debian.sources"], "no temp file left");

  assert.equal(findDebianMirror(["deb [arch=amd64] http://one.example/debian bookworm main\n"], "bookworm"), "http://one.example/debian");
  assert.equal(findDebianMirror(["# deb http://old.example/debian bookworm main\n"], "bookworm"), "http://deb.debian.org/debian");
  assert.equal(findDebianMirror([], "bookworm"), "http://deb.debian.org/debian");
});

test(".ci/run installs exactly the list's packages for this release, and dpkg knows which are installed and how new", async () => {
  const script = await execa(new URL("../../.ci/list-debian-packages", import.meta.url).pathname);
  const list = readDebianPackageList();
  const wanted = renderAptInstallCommand([...list.build, ...list.test], readHostCodename())
    .split(" ")
    .slice(4);
  assert.deepEqual(String(script.stdout).split("\n"), wanted, `.ci/run's package list (${debianPackageListPath})`);
  if (readHostCodename() === "bookworm") assert.ok(wanted.includes("qemu-system-x86/bookworm-backports"), "Debian 12 takes QEMU from bookworm-backports");
  const dpkgVersion = String((await execa("dpkg-query", ["-W", "-f=${Version}", "dpkg"])).stdout);
  assert.deepEqual(await findMissingDebianPackages([{ name: "dpkg" }, { name: "rtcgw-no-such-package" }, { name: "dpkg", minimumVersion: "1.0" }]), [
    { name: "rtcgw-no-such-package" },
  ]);
  assert.deepEqual(await findMissingDebianPackages([{ name: "dpkg", minimumVersion: "99:1" }]), [
    { name: "dpkg", minimumVersion: "99:1", installed: dpkgVersion },
  ]);
});
