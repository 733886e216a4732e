import { test } from "node:test";
import assert from "node:assert/strict";
import { renderLynisSummary } from "../../cli/render-lynis-summary.ts";
import type { LocalImageManifest } from "../../image/builders/local/image-manifest.ts";

const finding = (test: string) => ({ test, message: `about ${test}` });
const points = (earned: number, possible: number) => ({ earned, possible, byTest: [] });
const audit = { lynisVersion: "3.0.8", testsPerformed: 200, skippedTests: [], sysctlMismatches: [] };

test("build-ami's Lynis lines: the combined index against the target, then the rootfs audit and Lynis inside the VM", () => {
  const manifest: Pick<LocalImageManifest, "audit" | "lynis" | "bootTest"> = {
    audit: { ...audit, hardeningIndex: 80, warnings: [], suggestions: [finding("DEB-0880")], points: points(191, 236) },
    lynis: {
      hardeningIndex: 86,
      points: { earned: 262, possible: 304 },
      warnings: [],
      suggestions: [finding("DEB-0880"), finding("BOOT-5122")],
      vmGroups: ["kernel", "firewalls"],
      target: { hardeningIndex: 85, warnings: 0 },
      meetsTarget: true,
    },
    bootTest: {
      ok: true,
      accelerator: { name: "tcg", reason: "no /dev/kvm", qemuVersion: "10.0.2" },
      boots: [
        {
          firmware: "uefi",
          readySeconds: 40,
          marker: "rtcgw: gateway ready",
          checks: [],
          serialLog: "serial-uefi.log",
          lynis: {
            ...audit,
            hardeningIndex: 93,
            warnings: [],
            suggestions: [finding("BOOT-5122")],
            points: points(71, 76),
            groups: ["kernel", "firewalls"],
            seconds: 31.5,
          },
        },
      ],
    },
  };
  assert.deepEqual(renderLynisSummary(manifest), [
    "  Lynis         hardening index 86 (262 of 304 points, rootfs and VM combined), 0 warning(s), 2 suggestion(s): meets the target of 85 with no warnings",
    "    rootfs (chroot, during the build): hardening index 80, 0 warning(s)",
    "    Lynis inside the VM (kernel, firewalls): hardening index 93, 0 warning(s), 1 suggestion(s), 31.5 s under TCG",
  ]);
  const below = { ...manifest, lynis: { ...manifest.lynis, hardeningIndex: 84, meetsTarget: false } };
  assert.match(renderLynisSummary(below)[0]!, /hardening index 84 .* — below the target of 85 with no warnings$/);
});
