// The VM half of the Lynis audit, run here on this machine's Lynis as the boot test runs it inside the VM: the
// staged tar on stdin of the root script, the output read back. The points read from the log must reproduce
// the index Lynis computed itself, and the copy on /run must be gone afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { judgeVmLynis, vmLynisCheckName } from "../../image/audit/judge-vm-lynis.ts";
import { lynisHardeningIndex } from "../../image/audit/lynis-points.ts";
import { stageLynisForVm } from "../../image/audit/stage-lynis-for-vm.ts";
import { readVmLynisOutput, renderVmLynisScript } from "../../image/audit/vm-lynis-script.ts";
import { renderSshSessionScript, splitSshSession } from "../../image/boot-test/ssh-report.ts";
import { requireBinary } from "../harness/require-binary.ts";

const leftovers = () => readdirSync("/run").filter((name) => name.startsWith("rtcgw-lynis."));

test("the VM's Lynis script runs the streamed Lynis on a tmpfs copy, prints report and log, and removes the copy", { timeout: 180_000 }, async (t) => {
  requireBinary("lynis", "lynis");
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-vm-lynis-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const before = leftovers();
  const tarball = await stageLynisForVm(dir);
  assert.deepEqual(readdirSync(dir), ["lynis.tar"], "the staging folder is gone, the tar stays");
  const tarList = (await execa("tar", ["-t", "-v", "-f", tarball])).stdout;
  assert.match(tarList, /root\/root .* \.\/include\/tests_kernel_hardening/);
  assert.match(tarList, /\.\/default\.prf/);
  assert.match(tarList, /\.\/rtcgw\.prf/);

  const groups = ["kernel_hardening", "firewalls"];
  const run = await execa("sh", ["-c", renderVmLynisScript(groups, 120)], { inputFile: tarball, reject: false });
  const output = readVmLynisOutput(run.stdout, run.stderr);
  assert.ok(output.ok, JSON.stringify(output).slice(0, 800));
  assert.equal(output.exitCode, 0);
  assert.ok(output.seconds > 0);
  assert.ok(output.log.includes("Info: only performing tests from groups: kernel_hardening firewalls"), output.log.slice(0, 300));
  assert.deepEqual(output.log.match(/Performing test ID (SSH|AUTH|DEB)-\d+/g), null, "only the groups asked for ran, and no plugin");
  assert.deepEqual(leftovers(), before, "the copy on /run is removed");

  const { audit, check } = judgeVmLynis(output, groups);
  assert.ok(audit);
  assert.ok(audit.points.byTest.some((t) => t.test === "KRNL-6000" && t.possible > 10));
  assert.equal(lynisHardeningIndex(audit.points), audit.hardeningIndex, "the log's points reproduce Lynis's own index");
  assert.equal(check.name, vmLynisCheckName);
  assert.match(
    check.detail,
    new RegExp(`hardening index ${audit.hardeningIndex} \\(${audit.points.earned} of ${audit.points.possible} points\\) from kernel_hardening, firewalls`),
  );
  assert.equal(check.ok, audit.warnings.length === 0);
});

test("a run without a report, or a session that never got to Lynis, says why", () => {
  const noReport = readVmLynisOutput("--rtcgw-lynis-result--\n124 300000\nlast words\n--rtcgw-lynis-report--\n--rtcgw-lynis-log--\n");
  assert.deepEqual(noReport, { ok: false, message: "Lynis wrote no report (exit 124: timed out): last words" });
  assert.deepEqual(readVmLynisOutput("", "sudo: a password is required\n"), {
    ok: false,
    message: "the audit script did not finish: sudo: a password is required",
  });
  const judged = judgeVmLynis(noReport, ["kernel"]);
  assert.equal(judged.audit, undefined);
  assert.deepEqual(judged.check, { name: vmLynisCheckName, ok: false, detail: "no audit: Lynis wrote no report (exit 124: timed out): last words" });
  const warned = judgeVmLynis(
    {
      ok: true,
      exitCode: 0,
      seconds: 31.4,
      report: "hardening_index=90\nlynis_tests_done=40\nwarning[]=KRNL-5830|Reboot of system is most likely needed|-|text:reboot|\n",
      log: "Performing test ID KRNL-5830 (x)\nHardening: assigned partial number of hardening points (0 of 5). Currently having 0 points (out of 5)\n",
    },
    ["kernel"],
  );
  assert.equal(warned.check.ok, false);
  assert.equal(
    warned.check.detail,
    "1 warning(s): KRNL-5830 Reboot of system is most likely needed; hardening index 90 (0 of 5 points) from kernel; 0 suggestion(s); 40 tests in 31.4 s",
  );
});

test("the SSH session: the report without stdin, then the Lynis script as root through sudo; the output split back", async () => {
  const script = renderSshSessionScript("echo 'it''s' \"$HOME\"");
  assert.match(script, /^\{ timeout 90 systemctl is-system-running --wait;.*; \} <\/dev\/null; echo --rtcgw-lynis--; sudo -n sh -c '/);
  await execa("bash", ["-n", "-c", script]);
  assert.deepEqual(splitSshSession("running\n--rtcgw--\nhost\n--rtcgw-lynis--\n--rtcgw-lynis-result--\n"), {
    report: "running\n--rtcgw--\nhost\n",
    lynis: "--rtcgw-lynis-result--\n",
  });
  assert.deepEqual(splitSshSession("running\n--rtcgw--\nhost\n"), { report: "running\n--rtcgw--\nhost\n" });
});
