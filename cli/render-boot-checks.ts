// The boot test's checks in build-ami's summary: one line per check of every boot (firmware, verdict, name and
// detail), so the figures of the gate (the calls' packet counts among them) are read without opening manifest.json.
import type { BootRun } from "../image/boot-test/boot-test-disk.ts";

// The lines, indented under the summary's "boot test" line.
export function renderBootChecks(boots: readonly Pick<BootRun, "firmware" | "checks">[]): string[] {
  return boots.flatMap((boot) => boot.checks.map((check) => `    ${check.ok ? "ok  " : "FAIL"} ${boot.firmware.toUpperCase()} ${check.name}: ${check.detail}`));
}
