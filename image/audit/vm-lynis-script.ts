// Pure: Lynis inside the booted VM. The boot test's one SSH session streams the host's Lynis (a tar on stdin,
// stage-lynis-for-vm.ts) into a fresh directory on /run (a tmpfs), runs the runtime test groups there as root
// (the admin login's sudo), prints the report and the log, and removes the copy: the image carries no Lynis
// and keeps nothing of the audit.

/** What the VM printed: the run's exit code and duration, the report and the log; or why there is none. */
export type VmLynisRun = { ok: true; exitCode: number; seconds: number; report: string; log: string } | { ok: false; message: string };

const marks = { result: "--rtcgw-lynis-result--", report: "--rtcgw-lynis-report--", log: "--rtcgw-lynis-log--" };

// The script for `sh -c` as root: tar on stdin; `timeoutSeconds` caps Lynis (a hung test must not hang the gate).
export function renderVmLynisScript(groups: readonly string[], timeoutSeconds: number): string {
  return [
    "d=$(mktemp -d /run/rtcgw-lynis.XXXXXX) || exit 1",
    "trap 'cd / && rm -rf \"$d\"' EXIT",
    'tar -x -C "$d" -f - || exit 1',
    'cd "$d" || exit 1',
    "start=$(date +%s%N)",
    // --usecwd: the include files, database and default profile are the streamed copy's; no plugin (the chroot audit ran them).
    // --quiet: nothing on screen (the report file and the log are complete), which spares two processes per result line.
    `timeout ${timeoutSeconds} sh ./lynis audit system --usecwd --no-plugins --no-colors --quick --quiet --profile ./rtcgw.prf --tests-from-group "${groups.join(" ")}" --report-file "$d/report.dat" --logfile "$d/lynis.log" >"$d/lynis.out" 2>&1`,
    "code=$?",
    "end=$(date +%s%N)",
    `echo ${marks.result}`,
    'echo "$code $(( (end - start) / 1000000 ))"',
    "tail -n 5 lynis.out",
    `echo ${marks.report}`,
    "cat report.dat 2>/dev/null",
    `echo ${marks.log}`,
    "cat lynis.log 2>/dev/null",
  ].join("\n");
}

// Reads the script's output (`stderr` explains a run that printed nothing, e.g. sudo refusing).
export function readVmLynisOutput(stdout: string, stderr = ""): VmLynisRun {
  const result = stdout.indexOf(`${marks.result}\n`);
  const report = stdout.indexOf(`${marks.report}\n`);
  const log = stdout.indexOf(`${marks.log}\n`);
  if (result < 0 || report < result || log < report)
    return { ok: false, message: `the audit script did not finish: ${(stdout.trim() || stderr.trim()).slice(-400) || "no output"}` };
  const [status = "", ...outTail] = stdout.slice(result + marks.result.length + 1, report).split("\n");
  const [exitCode, ms] = status.trim().split(" ").map(Number);
  const reportText = stdout.slice(report + marks.report.length + 1, log);
  if (!reportText.includes("hardening_index="))
    return { ok: false, message: `Lynis wrote no report (exit ${exitCode}${exitCode === 124 ? ": timed out" : ""}): ${outTail.join(" ").trim().slice(-300)}` };
  return {
    ok: true,
    exitCode: exitCode ?? NaN,
    seconds: Math.round((ms ?? NaN) / 100) / 10,
    report: reportText,
    log: stdout.slice(log + marks.log.length + 1),
  };
}
