import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareSysctl, parseSysctlExpectations, parseSysctlFiles } from "../../image/audit/check-sysctl-statically.ts";
import { parseLynisReport } from "../../image/audit/parse-lynis-report.ts";
import { findLynisTestIds, renderLynisProfile, runtimeTestGroups, trimDefaultProfileForVm } from "../../image/audit/render-lynis-profile.ts";
import { lynisPaths, readLynisTestSources } from "../../image/audit/lynis-installation.ts";
import { lynisHardeningIndex, parseLynisPoints, sumLynisPoints } from "../../image/audit/lynis-points.ts";
import { combineLynisAudits, mapLynisTestGroups, type LynisAudit } from "../../image/audit/combine-lynis-audits.ts";
import { requireBinary } from "../harness/require-binary.ts";

test("the profile skips every kernel, firewall and boot test of the installed Lynis, and nothing else", () => {
  requireBinary("lynis", "lynis");
  const sources = readdirSync(join(lynisPaths.share, "include"))
    .filter((n) => n.startsWith("tests_"))
    .map((n) => readFileSync(join(lynisPaths.share, "include", n), "utf8"));
  const ids = findLynisTestIds(sources);
  assert.ok(ids.includes("KRNL-6000") && ids.includes("FIRE-4512") && ids.includes("SSH-7408"));
  const skipped = renderLynisProfile(ids)
    .split("\n")
    .filter((l) => l.startsWith("skip-test="))
    .map((l) => l.slice("skip-test=".length));
  assert.ok(skipped.includes("KRNL-6000"));
  assert.ok(skipped.every((id) => /^(KRNL|FIRE|BOOT)-/.test(id)));
  assert.equal(skipped.length, ids.filter((id) => /^(KRNL|FIRE|BOOT)-/.test(id)).length);
});

test("a Lynis report yields the hardening index, warnings and suggestions", () => {
  const report = [
    "# Lynis Report",
    "lynis_version=3.0.8",
    "hardening_index=83",
    "lynis_tests_done=214",
    "warning[]=LOGG-2138|klogd is not running, which could lead to missing kernel messages in log files|-|-|",
    "suggestion[]=SSH-7408|Consider hardening SSH configuration|AllowTcpForwarding (set YES to NO)|-|",
    "suggestion[]=DEB-0880|Install fail2ban|-|-|",
  ].join("\n");
  assert.deepEqual(parseLynisReport(report), {
    lynisVersion: "3.0.8",
    hardeningIndex: 83,
    testsPerformed: 214,
    warnings: [{ test: "LOGG-2138", message: "klogd is not running, which could lead to missing kernel messages in log files" }],
    suggestions: [
      { test: "SSH-7408", message: "Consider hardening SSH configuration", details: "AllowTcpForwarding (set YES to NO)" },
      { test: "DEB-0880", message: "Install fail2ban" },
    ],
    skippedTests: [],
  });
});

test("kernel settings are checked in the image's sysctl.d, where a later file wins over the hardening", () => {
  const expectations = parseSysctlExpectations(
    "config-data=sysctl;fs.protected_fifos;2;1;Restrict FIFO special device creation behavior;sysctl -a;-;\nconfig-data=sysctl;kernel.yama.ptrace_scope;1|2|3;1;Disable process tracing;-;\nconfig-data=sysctl;security.bsd.see_other_uids;0;1;BSD only;-;\n",
  );
  assert.deepEqual(
    expectations.map((e) => [e.key, e.expected]),
    [
      ["fs.protected_fifos", ["2"]],
      ["kernel.yama.ptrace_scope", ["1", "2", "3"]],
      ["security.bsd.see_other_uids", ["0"]],
    ],
  );
  const settings = parseSysctlFiles(["fs.protected_fifos = 2\n-kernel.yama.ptrace_scope = 1\n", "# procps's 99-protect-links.conf\nfs.protected_fifos = 1\n"]);
  const linux = (key: string) => !key.startsWith("security.bsd.");
  assert.deepEqual(compareSysctl(settings, expectations, linux), [
    { key: "fs.protected_fifos", expected: ["2"], actual: "1", description: "Restrict FIFO special device creation behavior" },
  ]);
});

test("Lynis points: each test's AddHP lines summed, and the index rounded down as Lynis rounds it", () => {
  const log = [
    "2026-12-02 20:31:29 Performing test ID DEB-0280 (Checking if libpam-tmpdir is installed and enabled.)",
    "2026-12-02 20:31:29 Hardening: assigned maximum number of hardening points for this item (1). Currently having 1 points (out of 1)",
    "2026-12-02 20:31:29 Performing test ID DEB-0810 (Checking for apt-listbugs)",
    "2026-12-02 20:31:29 Hardening: assigned partial number of hardening points (0 of 2). Currently having 1 points (out of 3)",
    "2026-12-02 20:31:42 Performing test ID FILE-6374 (Linux mount options)",
    "2026-12-02 20:31:42 Hardening: assigned partial number of hardening points (4 of 5). Currently having 5 points (out of 8)",
    "2026-12-02 20:31:42 Hardening: assigned maximum number of hardening points for this item (3). Currently having 8 points (out of 11)",
  ].join("\n");
  assert.deepEqual(parseLynisPoints(log), {
    earned: 8,
    possible: 11,
    byTest: [
      { test: "DEB-0280", earned: 1, possible: 1 },
      { test: "DEB-0810", earned: 0, possible: 2 },
      { test: "FILE-6374", earned: 7, possible: 8 },
    ],
  });
  assert.equal(lynisHardeningIndex({ earned: 8, possible: 11 }), 72);
  assert.equal(lynisHardeningIndex({ earned: 191, possible: 236 }), 80);
  assert.equal(lynisHardeningIndex({ earned: 0, possible: 40 }), 1, "Lynis counts an audit without a point as 1 of 100");
});

test("combined: the runtime groups come from the VM audit, every other group and unregistered test from the chroot's", () => {
  const groupOf = mapLynisTestGroups({
    kernel: "Register --test-no KRNL-5820 --os Linux\nRegister --test-no KRNL-5830 --os Linux",
    filesystems: "Register --test-no FILE-6374 --os Linux",
    ssh: "Register --test-no SSH-7440 --weight L",
  });
  const audit = (points: [string, number, number][], warnings: string[], suggestions: string[]): LynisAudit => ({
    lynisVersion: "3.0.8",
    hardeningIndex: 0,
    testsPerformed: points.length,
    warnings: warnings.map((test) => ({ test, message: `warning of ${test}` })),
    suggestions: suggestions.map((test) => ({ test, message: `suggestion of ${test}` })),
    skippedTests: [],
    points: sumLynisPoints(points.map(([test, earned, possible]) => ({ test, earned, possible }))),
  });
  // The chroot saw the audit's own mounts (FILE-6374) and no kernel (skipped); the plugin's DEB-0810 is the chroot's only.
  const chroot = audit(
    [
      ["DEB-0810", 0, 2],
      ["FILE-6374", 4, 20],
      ["SSH-7440", 0, 1],
    ],
    ["FILE-6374"],
    ["LYNIS", "DEB-0810", "FILE-6374", "SSH-7440"],
  );
  const vm = audit(
    [
      ["KRNL-5820", 6, 6],
      ["KRNL-5830", 5, 5],
      ["FILE-6374", 18, 20],
      ["SSH-7440", 1, 1],
    ],
    [],
    ["LYNIS", "FILE-6374", "SSH-7440"],
  );
  const combined = combineLynisAudits(chroot, vm, ["kernel", "filesystems"], groupOf);
  assert.deepEqual(combined.points, { earned: 0 + 0 + 6 + 5 + 18, possible: 2 + 1 + 6 + 5 + 20 });
  assert.equal(combined.hardeningIndex, Math.floor((29 * 100) / 34));
  assert.deepEqual(combined.warnings, [], "the chroot's FILE-6374 warning is about its own mounts: the VM's verdict replaces it");
  assert.deepEqual(
    combined.suggestions.map((s) => s.test),
    ["LYNIS", "DEB-0810", "SSH-7440", "FILE-6374"],
  );
  assert.deepEqual(combined.vmGroups, ["kernel", "filesystems"]);
});

test("the runtime groups run inside the VM cover every test the chroot profile skips", () => {
  requireBinary("lynis", "lynis");
  const sources = readLynisTestSources();
  const groupOf = mapLynisTestGroups(sources);
  const skipped = renderLynisProfile(findLynisTestIds(Object.values(sources)))
    .split("\n")
    .filter((l) => l.startsWith("skip-test="))
    .map((l) => l.slice("skip-test=".length));
  assert.ok(skipped.length > 40);
  assert.deepEqual(
    skipped.filter((id) => !(groupOf.get(id)! in runtimeTestGroups)),
    [],
  );
  for (const group of Object.keys(runtimeTestGroups)) assert.ok(sources[group], `Lynis has a test group ${group}`);
});

test("the VM's default profile keeps every Linux sysctl expectation and setting, and drops plugins, permission lists and other kernels' keys", () => {
  requireBinary("lynis", "lynis");
  const full = readFileSync(join(lynisPaths.etc, "default.prf"), "utf8").split("\n");
  const trimmed = trimDefaultProfileForVm(full.join("\n")).split("\n");
  assert.deepEqual(
    trimmed.filter((l) => /^config-data=sysctl;(kernel\.kptr_restrict|net\.ipv4\.tcp_syncookies|fs\.suid_dumpable|dev\.tty\.ldisc_autoload);/.test(l)).length,
    4,
  );
  assert.deepEqual(
    trimmed.filter((l) => /^(plugin|permfile|permdir)=|^config-data=sysctl;(security\.bsd|kern|net\.inet6?|hw)\./.test(l)),
    [],
  );
  const dropped = full.filter((l) => !trimmed.includes(l));
  assert.deepEqual(
    dropped.filter((l) => !/^(plugin|permfile|permdir)=|^config-data=sysctl;(security\.bsd|kern|net\.inet6?|hw)\./.test(l)),
    [],
    "nothing else is dropped",
  );
});
