// `rtcgw build-ami --target local`: bootstrap Debian 13 with mmdebstrap, run the bundle's provision.sh
// in it, seal, assert the seal, smoke-test, write the bootable disk from that sealed tree and boot it
// under QEMU as the gate (beside them: the Lynis audit of the tree, then the disk's compression), and mark the artifact good, in
// `<out>/.tmp-<hash12>-<pid>` renamed to `<out>/<name>-<hash12>` only when everything passed.
import { execa } from "execa";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Recipe } from "../../../dsl/resolve.ts";
import type { GeneratedFile } from "../../../gateway/generated-file.ts";
import { auditRootfs } from "../../audit/audit-rootfs.ts";
import { checkSysctlStatically, type SysctlMismatch } from "../../audit/check-sysctl-statically.ts";
import { combineLynisAudits, mapLynisTestGroups, type CombinedLynis, type LynisAudit } from "../../audit/combine-lynis-audits.ts";
import { readLynisTestSources } from "../../audit/lynis-installation.ts";
import { assertSealed } from "../../seal/assert-sealed.ts";
import { sealRootfs } from "../../seal/seal-rootfs.ts";
import type { SealViolation } from "../../seal/seal-violation.ts";
import { smokeTestRootfs, type SmokeResult } from "../../smoke/smoke-test-rootfs.ts";
import { bootstrapRootfs } from "./bootstrap-rootfs.ts";
import { openBuildLog } from "./build-log.ts";
import { artifactFiles, manifestSchema, readGoodManifest, writeManifest, type LocalImageManifest } from "./image-manifest.ts";
import { listInstalledPackages, measureTree } from "./package-rootfs.ts";
import { writeDisk } from "../../disk/write-disk.ts";
import { compressDisk, type DiskRecord } from "../../disk/compress-disk.ts";
import type { DiskLayout } from "../../disk/disk-layout.ts";
import { bootTestDisk, type BootTestResult } from "../../boot-test/boot-test-disk.ts";
import { planLocalBuild, type LocalBuildPlan, type LocalBuildStepId } from "./plan-local-build.ts";
import { provisionRootfs } from "./provision-rootfs.ts";
import { createStepRunner, StepFailure, type ProgressListener } from "../../../io/steps.ts";
import { discardWorkDir, keepBesideFailedLog, promoteWorkDir, removeFailedLogs, sweepStaleWorkDirs } from "./work-dir.ts";

/** What the CLI passes to a local build. */
export interface LocalBuildOptions {
  recipe: Recipe;
  /** The recipe file, recorded in the log. */
  recipePath?: string;
  bundle: { files: readonly GeneratedFile[]; hash: string };
  outDir: string;
  /** @default `<outDir>/.cache/apt` */
  aptCacheDir?: string;
  /** Plan only. @default false */
  dryRun?: boolean;
  /** Fail the build (not good) when the Lynis target (combined index ≥ 85, no warnings) is missed. @default false */
  requireAuditTarget?: boolean;
  /** Keep `<out>/.tmp-…` (rootfs included) when the build fails, to look into it. @default false */
  keepFailedWorkDir?: boolean;
  /** Power-on to ready, per boot of the boot test. @default 600 s under TCG, 120 s under KVM */
  bootTimeoutMs?: number;
  signal?: AbortSignal;
  /** Step events, stage `build` (io/steps.ts). */
  onProgress?: ProgressListener;
  /** Injected clock (ms). */
  now?: () => number;
}

/** The outcome; errors are values (the CLI decides the exit code). */
export type LocalBuildResult =
  | { ok: true; dryRun: true; plan: LocalBuildPlan }
  | { ok: true; dryRun: false; reused: boolean; artifactDir: string; disk: string; manifest: LocalImageManifest; plan: LocalBuildPlan }
  | {
      ok: false;
      step: LocalBuildStepId;
      message: string;
      canceled: boolean;
      failedLog?: string;
      violations?: SealViolation[];
      smoke?: SmokeResult;
      bootTest?: BootTestResult;
      plan: LocalBuildPlan;
    };

/** Lynis target of issue 13, on the combined verdict (the chroot audit and the audit inside the VM). */
export const auditTarget = { hardeningIndex: 85, warnings: 0 };

/** The nice level of the work beside the boot test: the VM comes first. */
const besideNiceness = 10;

/** What a failed step carries into the result besides its message. */
interface FailureFacts {
  violations?: SealViolation[];
  smoke?: SmokeResult;
  bootTest?: BootTestResult;
}

// Builds (or reuses) the local image for `options.recipe` and `options.bundle`.
export async function buildLocalImage(options: LocalBuildOptions): Promise<LocalBuildResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const plan = planLocalBuild({
    recipe: options.recipe,
    bundle: options.bundle,
    outDir: options.outDir,
    uid: process.getuid?.() ?? 0,
    pid: process.pid,
    ...(options.aptCacheDir ? { aptCacheDir: options.aptCacheDir } : {}),
  });
  if (options.dryRun) return { ok: true, dryRun: true, plan };

  const reused = readGoodManifest(plan.artifactDir, plan.bundleHash);
  if (reused) {
    options.onProgress?.({ stage: "build", step: "reuse", state: "done", elapsedMs: now() - started, stepMs: now() - started, detail: plan.artifactDir });
    return { ok: true, dryRun: false, reused: true, artifactDir: plan.artifactDir, disk: join(plan.artifactDir, artifactFiles.disk), manifest: reused, plan };
  }

  sweepStaleWorkDirs(options.outDir);
  mkdirSync(plan.workDir, { recursive: true });
  const log = openBuildLog(join(plan.workDir, artifactFiles.log));
  log.note(`rtcgw local build of ${plan.name} (recipe ${options.recipePath ?? "?"}, bundle ${plan.bundleHash})`);
  const signal = options.signal;
  const steps = createStepRunner<LocalBuildStepId>({ stage: "build", first: "bootstrap", now, started, onProgress: options.onProgress, signal });
  const step = <T>(id: LocalBuildStepId, work: () => Promise<T>, detail?: (value: T) => string): Promise<T> =>
    steps.run(
      id,
      async () => {
        log.note(`==> ${id}`);
        return work();
      },
      detail,
    );
  const failIf = (message: string | undefined) => {
    if (message !== undefined) throw new StepFailure<FailureFacts>(message);
  };

  try {
    await step("bootstrap", async () => failIf(await bootstrapRootfs(plan, log, signal)));
    await step("provision", async () =>
      failIf(
        await provisionRootfs({
          rootDir: plan.rootfsDir,
          workDir: plan.workDir,
          bundleFiles: options.bundle.files,
          aptCacheDir: plan.aptCacheDir,
          log,
          ...(signal ? { signal } : {}),
        }),
      ),
    );
    const changed = await step(
      "seal",
      async () => sealRootfs(plan.rootfsDir),
      (c) => `${c.length} paths changed`,
    );
    await step("assert-sealed", async () => {
      const violations = assertSealed(plan.rootfsDir);
      for (const v of violations) log.note(`seal violation: ${v.rule} ${v.path}: ${v.message}`);
      if (violations.length > 0)
        throw new StepFailure<FailureFacts>(`${violations.length} seal violation(s), first: ${violations[0]!.path} (${violations[0]!.rule})`, {
          violations,
        });
    });
    const smoke = await step(
      "smoke",
      async () => {
        const smoke = await smokeTestRootfs({ rootDir: plan.rootfsDir, workDir: plan.workDir, recipe: options.recipe, log, ...(signal ? { signal } : {}) });
        for (const check of smoke.checks) log.note(`smoke: ${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
        if (!smoke.ok)
          throw new StepFailure<FailureFacts>(
            `smoke test failed: ${smoke.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.name} (${c.detail})`)
              .join("; ")}`,
            { smoke },
          );
        return smoke;
      },
      (s) => s.checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name}`).join(", "),
    );
    // Beside the boot test once its first boot's checks from outside are done (the VM then runs Lynis on one vCPU for
    // minutes under TCG, leaving a core idle), at a lower priority: the rootfs audit (Lynis in a chroot on an overlay: the
    // tree is only read) and the disk's compression (the boot test only reads the raw disk). A failed boot test cancels
    // both (`besides`) and waits for them before it reports; a failed audit stops the boot test.
    const besides = new AbortController();
    const cancelBesides = () => besides.abort(signal?.reason);
    signal?.addEventListener("abort", cancelBesides, { once: true });
    const stopBoot = new AbortController();
    const bootSignal = signal ? AbortSignal.any([signal, stopBoot.signal]) : stopBoot.signal;
    const raw = join(plan.workDir, "disk.raw");
    let auditing: Promise<{ lynis: LynisAudit; sysctlMismatches: SysctlMismatch[] }> | undefined;
    let packaging: Promise<DiskRecord & { layout: DiskLayout }> | undefined;
    const startBesides = (layout: DiskLayout) => {
      if (auditing) return;
      auditing = step(
        "audit",
        async () => {
          const audit = await auditRootfs({ rootDir: plan.rootfsDir, workDir: plan.workDir, log, signal: besides.signal, niceness: besideNiceness });
          if (!audit.ok) throw new StepFailure<FailureFacts>(audit.message);
          const sysctlMismatches = checkSysctlStatically(plan.rootfsDir);
          for (const m of sysctlMismatches) log.note(`sysctl: ${m.key} is ${m.actual ?? "unset"}, Lynis expects ${m.expected.join(" or ")}`);
          return { lynis: audit.lynis, sysctlMismatches };
        },
        ({ lynis }) => `hardening index ${lynis.hardeningIndex} in the rootfs (runtime groups follow in the VM), ${lynis.warnings.length} warning(s)`,
      );
      auditing.catch((error: unknown) => stopBoot.abort(error));
      packaging = step(
        "package",
        async () => {
          const record = await compressDisk(raw, join(plan.workDir, artifactFiles.disk), log, besides.signal, besideNiceness);
          if (typeof record === "string") throw new StepFailure<FailureFacts>(record);
          return { ...record, layout };
        },
        (d) => `${(d.compressedBytes / 1024 ** 2).toFixed(0)} MiB compressed, sha256 ${d.sha256.slice(0, 12)}`,
      );
      packaging.catch(() => undefined);
    };
    try {
      const { packages, rootfsBytes, layout } = await step(
        "disk",
        async () => {
          const packages = await listInstalledPackages(plan.rootfsDir);
          const rootfsBytes = await measureTree(plan.rootfsDir);
          const written = await writeDisk({ rootDir: plan.rootfsDir, workDir: plan.workDir, output: raw, log, ...(signal ? { signal } : {}) });
          if (!written.ok) throw new StepFailure<FailureFacts>(written.message);
          return { packages, rootfsBytes, layout: written.layout };
        },
        () => `${raw}`,
      );
      const { bootTest, lynis, sysctlMismatches, combined, meetsTarget } = await step(
        "boot-test",
        async () => {
          const bootTest = await bootTestDisk({
            disk: raw,
            workDir: plan.workDir,
            recipe: options.recipe,
            log,
            ...(options.bootTimeoutMs ? { readyTimeoutMs: options.bootTimeoutMs } : {}),
            signal: bootSignal,
            onFirstBootChecked: () => startBesides(layout),
          });
          if (!bootTest.ok)
            throw new StepFailure<FailureFacts>(
              `boot test failed (${bootTest.accelerator.name}): ${bootTest.boots.flatMap((b) => b.checks.filter((c) => !c.ok).map((c) => `${b.firmware}: ${c.name} (${c.detail})`)).join("; ")}`,
              { bootTest },
            );
          const vmLynis = bootTest.boots[0]?.lynis;
          if (!vmLynis) throw new StepFailure<FailureFacts>("boot test passed without Lynis inside the VM: its check is missing", { bootTest });
          startBesides(layout);
          const { lynis, sysctlMismatches } = await auditing!;
          const combined = combineLynisAudits(lynis, vmLynis, vmLynis.groups, mapLynisTestGroups(readLynisTestSources()));
          const meetsTarget = combined.hardeningIndex >= auditTarget.hardeningIndex && combined.warnings.length <= auditTarget.warnings;
          log.note(
            `Lynis combined (rootfs + VM's ${vmLynis.groups.join(", ")}): hardening index ${combined.hardeningIndex} (${combined.points.earned} of ${combined.points.possible} points), ${combined.warnings.length} warning(s)`,
          );
          if (options.requireAuditTarget && !meetsTarget)
            throw new StepFailure<FailureFacts>(
              `Lynis hardening index ${combined.hardeningIndex} (rootfs and VM combined) with ${combined.warnings.length} warning(s) misses the target (≥ ${auditTarget.hardeningIndex}, 0 warnings); each audit's report is in ${join(plan.workDir, "audit")}`,
              { bootTest },
            );
          return { bootTest, lynis, sysctlMismatches, combined, meetsTarget };
        },
        ({ bootTest }) => describeBootTest(bootTest),
      );
      const disk = await packaging!;
      const manifest = await step("manifest", async () => {
        for (const leftover of ["rootfs", "bundle", "apt.conf", "boot-test", "mmdebstrap-tmp", "disk.raw"])
          rmSync(join(plan.workDir, leftover), { recursive: true, force: true });
        const manifest = await describeArtifact(plan, {
          started,
          finished: now(),
          stepTimes: steps.times,
          packages,
          rootfsBytes,
          disk,
          bootTest,
          changed: changed.length,
          smoke,
          lynis,
          combined,
          meetsTarget,
          sysctlMismatches,
        });
        writeManifest(plan.workDir, manifest);
        promoteWorkDir(plan.workDir, plan.artifactDir);
        removeFailedLogs(plan.artifactDir);
        return manifest;
      });
      return { ok: true, dryRun: false, reused: false, artifactDir: plan.artifactDir, disk: join(plan.artifactDir, artifactFiles.disk), manifest, plan };
    } finally {
      // On a failure: the steps beside are canceled, and waited for (their processes gone) before the work directory goes.
      besides.abort(new Error("canceled: an earlier step failed"));
      signal?.removeEventListener("abort", cancelBesides);
      await Promise.allSettled([auditing, packaging]);
    }
  } catch (error) {
    const failed = steps.failure<FailureFacts>(error);
    // An unexpected error (not a step's verdict) is logged with its stack, to find it.
    const message = failed.canceled || error instanceof StepFailure ? failed.message : String((error as Error)?.stack ?? error);
    log.note(`build failed at ${failed.step}: ${message}`);
    const failedLog = options.keepFailedWorkDir ? log.path : join(options.outDir, `${plan.name}-${plan.shortHash}.failed.log`);
    if (options.keepFailedWorkDir) return { ok: false, step: failed.step, message, canceled: failed.canceled, failedLog, ...failed.facts, plan };
    // The boot test's serial consoles are kept beside the log (the work directory goes), and named where they are.
    const kept = keepBesideFailedLog(failed.facts?.bootTest?.boots.map((b) => b.serialLog) ?? [], failedLog);
    discardWorkDir(plan.workDir, log.path, failedLog);
    const keptPath = (text: string) => [...kept].reduce((t, [from, to]) => t.replaceAll(from, to), text);
    const bootTest = failed.facts?.bootTest && {
      ...failed.facts.bootTest,
      boots: failed.facts.bootTest.boots.map((b) => ({
        ...b,
        serialLog: keptPath(b.serialLog),
        checks: b.checks.map((c) => ({ ...c, detail: keptPath(c.detail) })),
      })),
    };
    return {
      ok: false,
      step: failed.step,
      message: keptPath(message),
      canceled: failed.canceled,
      failedLog,
      ...failed.facts,
      ...(bootTest ? { bootTest } : {}),
      plan,
    };
  }
}

async function describeArtifact(
  plan: LocalBuildPlan,
  facts: {
    started: number;
    finished: number;
    stepTimes: Readonly<Partial<Record<LocalBuildStepId, number>>>;
    packages: LocalImageManifest["packages"];
    rootfsBytes: number;
    disk: LocalImageManifest["disk"];
    bootTest: BootTestResult;
    changed: number;
    smoke: SmokeResult;
    lynis: LynisAudit;
    combined: CombinedLynis;
    meetsTarget: boolean;
    sysctlMismatches: SysctlMismatch[];
  },
): Promise<LocalImageManifest> {
  const mmdebstrap = (await execa("mmdebstrap", ["--version"], { reject: false })).stdout.trim();
  return {
    schema: manifestSchema,
    name: plan.name,
    recipeHash: plan.recipeHash,
    bundleHash: plan.bundleHash,
    base: { ...plan.base, mmdebstrap },
    packages: facts.packages,
    sizes: { rootfsBytes: facts.rootfsBytes },
    disk: facts.disk,
    bootTest: facts.bootTest,
    build: {
      startedAt: new Date(facts.started).toISOString(),
      finishedAt: new Date(facts.finished).toISOString(),
      seconds: Math.round((facts.finished - facts.started) / 100) / 10,
      steps: facts.stepTimes,
    },
    audit: { ...facts.lynis, sysctlMismatches: facts.sysctlMismatches },
    lynis: { ...facts.combined, target: auditTarget, meetsTarget: facts.meetsTarget },
    smoke: facts.smoke,
    seal: { changed: facts.changed, violations: 0 },
    good: true,
  };
}

// One line for the progress renderer: accelerator, power-on to ready per firmware, checks passed.
function describeBootTest(result: BootTestResult): string {
  const boots = result.boots
    .map((b, i) => `${b.firmware} ${b.readySeconds === undefined ? "did not get there" : `${i === 0 ? "ready" : "systemd up"} in ${b.readySeconds} s`}`)
    .join(", ");
  const checks = result.boots.flatMap((b) => b.checks);
  return `${result.accelerator.name} (QEMU ${result.accelerator.qemuVersion}): ${boots}; ${checks.filter((c) => c.ok).length}/${checks.length} checks`;
}
