// Pure: the boot test's verdict on Lynis inside the VM. A warning fails the gate: the running system is what
// ships, and the chroot cannot see its kernel, boot, firewall or mounts.
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import type { LynisAudit } from "./combine-lynis-audits.ts";
import { parseLynisPoints } from "./lynis-points.ts";
import { parseLynisReport } from "./parse-lynis-report.ts";
import type { VmLynisRun } from "./vm-lynis-script.ts";

/** The VM audit as the manifest records it: the report, its points, the groups it ran and how long Lynis took in the VM. */
export type VmLynisAudit = LynisAudit & { groups: string[]; seconds: number };

/** The check's name: build-ami prints it among the boot checks. */
export const vmLynisCheckName = "Lynis inside the VM: no warning";

// The audit (when Lynis wrote a report) and the check.
export function judgeVmLynis(run: VmLynisRun, groups: readonly string[]): { audit?: VmLynisAudit; check: SmokeCheck } {
  if (!run.ok) return { check: { name: vmLynisCheckName, ok: false, detail: `no audit: ${run.message}` } };
  const audit: VmLynisAudit = { ...parseLynisReport(run.report), points: parseLynisPoints(run.log), groups: [...groups], seconds: run.seconds };
  const figures = `hardening index ${audit.hardeningIndex} (${audit.points.earned} of ${audit.points.possible} points) from ${groups.join(", ")}; ${audit.suggestions.length} suggestion(s); ${audit.testsPerformed} tests in ${audit.seconds} s`;
  const ok = audit.warnings.length === 0;
  const detail = ok
    ? figures
    : `${audit.warnings.length} warning(s): ${audit.warnings.map((w) => `${w.test} ${w.message}${w.details ? ` (${w.details})` : ""}`).join("; ")}; ${figures}`;
  return { audit, check: { name: vmLynisCheckName, ok, detail } };
}
