import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compareSysctl, parseSysctlExpectations, parseSysctlFiles } from "../../image/audit/check-sysctl-statically.ts";
import { parseLynisReport } from "../../image/audit/parse-lynis-report.ts";
import { findLynisTestIds, renderLynisProfile } from "../../image/audit/render-lynis-profile.ts";
import { lynisPaths } from "../../image/audit/audit-rootfs.ts";
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
