// Runs Lynis inside the image (chroot on a throwaway overlay, private pid and network namespaces,
// sshd started on the private loopback with throwaway host keys so the SSH tests see the image's
// sshd), never `--rootdir`, which mixes in the build host. The sealed tree is not written.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BuildLog } from "../builders/local/build-log.ts";
import { runInNamespaces } from "../builders/local/run-in-namespaces.ts";
import type { LynisAudit } from "./combine-lynis-audits.ts";
import { lynisPaths, readLynisTestSources } from "./lynis-installation.ts";
import { parseLynisPoints } from "./lynis-points.ts";
import { parseLynisReport } from "./parse-lynis-report.ts";
import { findLynisTestIds, renderLynisProfile } from "./render-lynis-profile.ts";

/** The audit outcome: the report and its points, or why Lynis produced none. */
export type AuditResult = { ok: true; lynis: LynisAudit } | { ok: false; message: string };

// journald (it needs a cgroup file system) and sshd run on the appliance; started here so the logging
// and SSH tests see the image's own.
const inside = [
  "mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true",
  "if [ -x /lib/systemd/systemd-journald ]; then /lib/systemd/systemd-journald & fi",
  "mkdir -p /run/sshd",
  "if [ -x /usr/sbin/sshd ]; then ssh-keygen -A >/dev/null && /usr/sbin/sshd -o ListenAddress=127.0.0.1 || echo 'sshd did not start'; fi",
  "cd /usr/share/lynis",
  "lynis audit system --no-colors --quick --profile /run/rtcgw/audit/rtcgw.prf --report-file /run/rtcgw/audit/lynis-report.dat --logfile /run/rtcgw/audit/lynis.log >/run/rtcgw/audit/lynis.out 2>&1",
].join("\n");

// Audits the rootfs at `rootDir`; keeps lynis.log and the report in `<workDir>/audit`.
export async function auditRootfs(options: {
  rootDir: string;
  workDir: string;
  log: BuildLog;
  signal?: AbortSignal;
  /** Nice level of the audit's processes. @default 0 */
  niceness?: number;
}): Promise<AuditResult> {
  const auditDir = join(options.workDir, "audit");
  const overlayDir = join(options.workDir, "audit-overlay");
  mkdirSync(auditDir, { recursive: true });
  writeFileSync(join(auditDir, "rtcgw.prf"), renderLynisProfile(findLynisTestIds(Object.values(readLynisTestSources()))));
  try {
    const run = await runInNamespaces(
      {
        rootDir: options.rootDir,
        overlayDir,
        privateNetwork: true,
        binds: [
          { from: lynisPaths.share, to: "/usr/share/lynis", readOnly: true },
          { from: lynisPaths.program, to: "/usr/sbin/lynis", readOnly: true },
          { from: lynisPaths.etc, to: "/etc/lynis", readOnly: true },
          { from: auditDir, to: "/run/rtcgw/audit" },
        ],
        command: ["/bin/bash", "-c", inside],
      },
      { log: options.log, ...(options.signal ? { signal: options.signal } : {}), timeoutMs: 15 * 60_000, niceness: options.niceness ?? 0 },
    );
    let report = "";
    try {
      report = readFileSync(join(auditDir, "lynis-report.dat"), "utf8");
    } catch {
      return { ok: false, message: `Lynis wrote no report (exit ${run.exitCode}); see ${join(auditDir, "lynis.out")}` };
    }
    return { ok: true, lynis: { ...parseLynisReport(report), points: parseLynisPoints(readFileSync(join(auditDir, "lynis.log"), "utf8")) } };
  } finally {
    rmSync(overlayDir, { recursive: true, force: true });
  }
}
