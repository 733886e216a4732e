// manifest.json of a local image artifact: what was built from what, how it was checked, and `good`,
// which is true only when every step passed. Written last, atomically (temp file + rename).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { SysctlMismatch } from "../../audit/check-sysctl-statically.ts";
import type { CombinedLynis, LynisAudit } from "../../audit/combine-lynis-audits.ts";
import type { SmokeResult } from "../../smoke/smoke-test-rootfs.ts";
import type { BootTestResult } from "../../boot-test/boot-test-disk.ts";
import type { DiskRecord } from "../../disk/compress-disk.ts";
import type { DiskLayout } from "../../disk/disk-layout.ts";
import type { InstalledPackage } from "./package-rootfs.ts";
import { writeFileAtomicSync } from "../../../io/write-file-atomic.ts";
import type { BaseImage } from "./plan-local-build.ts";

/** The manifest's schema: 3 split Lynis into the chroot audit, the VM audit (bootTest) and the combined verdict. */
export const manifestSchema = "rtcgw.local-image/3";

/** The artifact's description. */
export interface LocalImageManifest {
  schema: typeof manifestSchema;
  name: string;
  recipeHash: string;
  bundleHash: string;
  base: BaseImage & { mmdebstrap: string };
  packages: InstalledPackage[];
  sizes: { rootfsBytes: number };
  /** The bootable disk: disk.raw.zst, the raw disk's SHA-256 and sizes, its partitions. */
  disk: DiskRecord & { layout: DiskLayout };
  /** The gate: the disk booted under QEMU and checked from outside; the first boot's `lynis` is the audit inside the VM. */
  bootTest: BootTestResult;
  build: { startedAt: string; finishedAt: string; seconds: number; steps: Record<string, number> };
  /** Lynis in the image's rootfs during the build, plus the kernel settings Lynis would read from the host, checked in the image's sysctl.d. */
  audit: LynisAudit & { sysctlMismatches: SysctlMismatch[] };
  /** The hardening verdict: the chroot audit's groups and the VM audit's runtime groups, combined (image/audit/combine-lynis-audits.ts). */
  lynis: CombinedLynis & { target: { hardeningIndex: number; warnings: number }; meetsTarget: boolean };
  smoke: SmokeResult;
  seal: { changed: number; violations: number };
  good: boolean;
}

/** The names of the artifact's files. */
export const artifactFiles = { disk: "disk.raw.zst", manifest: "manifest.json", log: "build.log" } as const;

// Writes manifest.json in `dir` atomically.
export function writeManifest(dir: string, manifest: LocalImageManifest): void {
  writeFileAtomicSync(join(dir, artifactFiles.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

// The manifest of a good artifact in `dir` built from `bundleHash` whose disk is intact, or undefined.
export function readGoodManifest(dir: string, bundleHash: string): LocalImageManifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, artifactFiles.manifest), "utf8")) as LocalImageManifest;
    if (manifest.schema !== manifestSchema || manifest.good !== true || manifest.bundleHash !== bundleHash) return undefined;
    const disk = join(dir, artifactFiles.disk);
    if (!existsSync(disk) || statSync(disk).size !== manifest.disk.compressedBytes) return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}
