// Pure: the image's hardening verdict from its two Lynis audits. The chroot audit (during the build) sees the
// image's files; the VM audit (during the boot test) sees the running system: its kernel, boot, firewall,
// mounts and security framework. Each test group is taken from the audit that sees it, and the index is
// recomputed from the points of the tests taken, as Lynis computes it.
import type { LynisFinding, LynisSummary } from "./parse-lynis-report.ts";
import { lynisHardeningIndex, sumLynisPoints, type LynisPoints } from "./lynis-points.ts";
import { registeredTestIds } from "./render-lynis-profile.ts";

/** One Lynis run: its report and the points behind its index. */
export type LynisAudit = LynisSummary & { points: LynisPoints };

/** The combined verdict. */
export interface CombinedLynis {
  hardeningIndex: number;
  points: { earned: number; possible: number };
  warnings: LynisFinding[];
  suggestions: LynisFinding[];
  /** The test groups taken from the VM audit; every other group comes from the chroot audit. */
  vmGroups: string[];
}

// Every test id registered in each Lynis test group, from the group's source (include/tests_<group>).
export function mapLynisTestGroups(sourcesByGroup: Record<string, string>): Map<string, string> {
  const groups = new Map<string, string>();
  for (const [group, source] of Object.entries(sourcesByGroup)) for (const test of registeredTestIds(source)) groups.set(test, group);
  return groups;
}

// Combines the audits. A test no group registers (a plugin's, or Lynis's own "LYNIS" notes) is the chroot audit's:
// the VM audit runs no plugin.
export function combineLynisAudits(chroot: LynisAudit, vm: LynisAudit, vmGroups: readonly string[], groupOf: ReadonlyMap<string, string>): CombinedLynis {
  const fromVm = (test: string) => vmGroups.includes(groupOf.get(test) ?? "");
  const points = sumLynisPoints([...chroot.points.byTest.filter((t) => !fromVm(t.test)), ...vm.points.byTest.filter((t) => fromVm(t.test))]);
  const pick = (chrootFindings: LynisFinding[], vmFindings: LynisFinding[]) => [
    ...chrootFindings.filter((f) => !fromVm(f.test)),
    ...vmFindings.filter((f) => fromVm(f.test)),
  ];
  return {
    hardeningIndex: lynisHardeningIndex(points),
    points: { earned: points.earned, possible: points.possible },
    warnings: pick(chroot.warnings, vm.warnings),
    suggestions: pick(chroot.suggestions, vm.suggestions),
    vmGroups: [...vmGroups],
  };
}
