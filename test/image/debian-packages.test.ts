// debian-packages.txt is the one list of Debian packages (build-ami installs [build], .ci/run both sections):
// it parses, names each package once, and holds what the local builder runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execa } from "execa";
import { debianPackageListPath, findMissingDebianPackages, parseDebianPackageList, readDebianPackageList } from "../../image/builders/local/debian-packages.ts";

test("the list parses into [build] and [test], each package once", () => {
  const list = readDebianPackageList();
  for (const needed of ["mmdebstrap", "zstd", "lynis", "openssl", "iproute2", "util-linux"]) assert.ok(list.build.includes(needed), `[build] has ${needed}`);
  for (const needed of ["kamailio", "rtpengine-daemon", "sip-tester", "chromium"]) assert.ok(list.test.includes(needed), `[test] has ${needed}`);
  const all = [...list.build, ...list.test];
  assert.deepEqual(
    all.filter((name, i) => all.indexOf(name) !== i),
    [],
    "no package listed twice",
  );
});

test("a malformed list is refused at its line", () => {
  assert.throws(() => parseDebianPackageList("kamailio\n"), /debian-packages\.txt:1: "kamailio" comes before any \[build\] or \[test\] section/);
  assert.throws(() => parseDebianPackageList("[build]\n[runtime]\n"), /debian-packages\.txt:2: unknown section \[runtime\]/);
  assert.throws(() => parseDebianPackageList("[test]\nfoo bar\n"), /debian-packages\.txt:2: "foo bar" is not a Debian package name/);
  assert.deepEqual(parseDebianPackageList("# c\n[build]\nzstd # why\n\n[test]\ncurl\n"), { build: ["zstd"], test: ["curl"] });
});

test(".ci/run installs exactly the list's packages, and dpkg knows which are installed", async () => {
  const script = await execa(new URL("../../.ci/list-debian-packages", import.meta.url).pathname);
  const list = readDebianPackageList();
  assert.deepEqual(String(script.stdout).split("\n"), [...list.build, ...list.test], `.ci/run's package list (${debianPackageListPath})`);
  assert.deepEqual(await findMissingDebianPackages(["dpkg", "rtcgw-no-such-package"]), ["rtcgw-no-such-package"]);
});
