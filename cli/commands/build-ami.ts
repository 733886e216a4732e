import { resolve } from "node:path";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { assembleBundle } from "../../image/assemble-bundle.ts";
import { buildLocalImage, type LocalBuildResult } from "../../image/builders/local/build-local-image.ts";
import { checkLocalBuildPrerequisites } from "../../image/builders/local/check-prerequisites.ts";
import {
  describeAptSourcesNeeded,
  describeMissingPackage,
  findMissingDebianPackages,
  readDebianPackageList,
  readHostCodename,
  renderAptInstallCommand,
  type MissingPackage,
} from "../../image/builders/local/debian-packages.ts";
import { localBuildSteps } from "../../image/builders/local/plan-local-build.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command, CommandIo } from "../command.ts";
import { displayPath } from "../display-path.ts";
import { UsageError } from "../errors.ts";
import { installBuildPackages } from "../install-build-packages.ts";
import { printProblems } from "../print-problems.ts";
import { renderBootChecks } from "../render-boot-checks.ts";
import { renderLynisSummary } from "../render-lynis-summary.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { createProgressRenderer } from "../render-progress.ts";

const stepTitles: Record<string, string> = { ...Object.fromEntries(localBuildSteps.map((s) => [s.id, s.title])), reuse: "Reuse the existing good image" };

export const buildAmiCommand: Command = {
  helpFor: async (argv) => (targetsAws(argv) ? (await import("./aws-build-ami.ts")).buildAmiCommand.help : undefined),
  name: "build-ami",
  help: `Usage: rtcgw build-ami [recipe] [--target local|aws] [--out DIR] [--dry-run] [--no-install] [--json]

Compiles the recipe's provisioning bundle and builds the image from it.

  --target local (default)  Debian 13 root file system with mmdebstrap on this machine, provision.sh run
                            inside it, sealed (no keys, no machine-id, no logs), smoke-tested (Kamailio
                            answers OPTIONS and relays a WebSocket REGISTER, rtpengine answers ping,
                            nftables loads) and audited with Lynis (its file-based groups); then written to a bootable 2 GiB GPT
                            disk (GRUB for BIOS and UEFI, Debian's cloud kernel) that is booted under
                            QEMU (KVM when it works here, TCG otherwise) and checked from outside (SSH
                            with a launch key from an IMDSv2 stand-in, no failed unit, SIP OPTIONS,
                            HTTPS 401, Lynis inside the VM without a warning: its kernel, boot, firewall,
                            mount and AppArmor groups, streamed in and removed after): the gate. Writes <out>/<name>-<hash>/ with disk.raw.zst,
                            manifest.json (the disk's SHA-256 and sizes) and build.log. An unchanged recipe reuses the
                            existing good image in seconds. Needs root on Debian 12; it first installs
                            the Debian packages it needs (mmdebstrap, lynis, ...: the [build] section of
                            debian-packages.txt) if any is missing, saying which.
  --target aws              The same bundle on an EC2 builder through SSM Run Command, smoke-tested,
                            copied to every region and published; see \`rtcgw build-ami --target aws --help\`.

Arguments:
  recipe            recipe file; default recipes/gateway.ts

Options:
  --target T        local or aws (default local)
  --out DIR         where images go (default out/images)
  --dry-run         print the plan (steps, paths, the mmdebstrap command, Debian packages to install) and build nothing
  --no-install      never install Debian packages: stop and name the missing ones instead
  --require-audit   fail unless Lynis (the rootfs audit and the one inside the VM, combined) scores ≥ 85 with no warnings
  --json            print the result as JSON on stdout, progress as JSON lines on stderr
  -h, --help        show this help

Ctrl-C stops the build and removes its work directory; nothing half-built is ever marked good.
`,
  async run(argv, io) {
    // The AWS target has flags of its own (--region, --profile, ...): hand it the arguments unparsed.
    if (targetsAws(argv)) return (await import("./aws-build-ami.ts")).buildAmiCommand.run(argv, io);
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        target: { type: "string", default: "local" },
        out: { type: "string" },
        "dry-run": { type: "boolean" },
        "no-install": { type: "boolean" },
        "require-audit": { type: "boolean" },
        json: { type: "boolean" },
      },
      "build-ami",
    );
    if (values.target !== "local") throw new UsageError(`--target must be local or aws, got ${JSON.stringify(values.target)}`);
    const json = Boolean(values.json);
    const path = resolveRecipeArgument(positionals, io.cwd, "build-ami");
    const checked = await checkRecipeFile(path, { cwd: io.cwd });
    if (!checked.ok) {
      printProblems(io, checked.problems, json);
      return 1;
    }
    const outDir = resolve(io.cwd, values.out ?? "out/images");
    // A plan says what the build would install first.
    const toInstall = values["dry-run"] ? await findMissingDebianPackages(readDebianPackageList().build) : [];
    if (!values["dry-run"]) {
      const packages = await installBuildPackages(io, { install: !values["no-install"] });
      if (!packages.ok) return reportMissingPrerequisites(io, [packages.reason], json);
      const missing = await checkLocalBuildPrerequisites({ outDir });
      if (missing.length > 0) return reportMissingPrerequisites(io, missing, json);
    }
    const bundle = await assembleBundle(checked.recipe, path);
    const result = await buildLocalImage({
      recipe: checked.recipe,
      recipePath: displayPath(io.cwd, path),
      bundle,
      outDir,
      dryRun: Boolean(values["dry-run"]),
      requireAuditTarget: Boolean(values["require-audit"]),
      signal: io.signal,
      onProgress: createProgressRenderer(io, { json, titles: stepTitles }),
    });
    return reportLocalBuild(io, result, json, toInstall);
  },
};

function targetsAws(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === "--target=aws" || (arg === "--target" && argv[i + 1] === "aws"));
}

function reportMissingPrerequisites(io: CommandIo, missing: string[], json: boolean): number {
  if (json) {
    io.stdout(`${JSON.stringify({ ok: false, missing }, null, 2)}\n`);
    return 1;
  }
  io.stderr(`rtcgw build-ami cannot build here yet:\n${missing.map((m) => `  - ${m}`).join("\n")}\n`);
  return 1;
}

function reportLocalBuild(io: CommandIo, result: LocalBuildResult, json: boolean, toInstall: MissingPackage[]): number {
  if (json) {
    io.stdout(
      `${JSON.stringify(result.ok && !result.dryRun ? { ok: true, reused: result.reused, artifactDir: result.artifactDir, disk: result.disk, manifest: result.manifest } : result.ok ? { ...result, debianPackagesToInstall: toInstall.map(describeMissingPackage) } : result, null, 2)}\n`,
    );
    return result.ok ? 0 : result.ok === false && result.canceled ? 130 : 1;
  }
  if (!result.ok) {
    io.stderr(`rtcgw: build ${result.canceled ? "canceled" : "failed"} at step "${result.step}": ${result.message}\n`);
    for (const violation of result.violations ?? []) io.stderr(`  ${violation.path}: ${violation.message}\n`);
    for (const boot of result.bootTest?.boots ?? []) io.stderr(`  ${boot.firmware} boot: serial console in ${displayPath(io.cwd, boot.serialLog)}\n`);
    if (result.failedLog) io.stderr(`Full log: ${displayPath(io.cwd, result.failedLog)} (nothing was marked good)\n`);
    return result.canceled ? 130 : 1;
  }
  if (result.dryRun) {
    const { plan } = result;
    const codename = readHostCodename();
    const sources = describeAptSourcesNeeded(toInstall, codename);
    io.stdout(`Plan for ${plan.name} (bundle ${plan.bundleHash.slice(0, 12)}):\n`);
    plan.steps.forEach((s, i) => io.stdout(`  ${i + 1}. ${s.title}\n`));
    io.stdout(
      toInstall.length > 0
        ? `Installs first: ${toInstall.map(describeMissingPackage).join(" ")} (${renderAptInstallCommand(toInstall, codename)}${sources ? `, with ${sources}` : ""})\n`
        : "Debian packages: every one the build needs is installed\n",
    );
    io.stdout(
      `Artifact:  ${displayPath(io.cwd, plan.artifactDir)}/\nApt cache: ${displayPath(io.cwd, plan.aptCacheDir)}\nmmdebstrap ${plan.mmdebstrapArgs.map((a) => (/[\s"$]/.test(a) ? `'${a}'` : a)).join(" ")}\n`,
    );
    return 0;
  }
  const m = result.manifest;
  const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  io.stdout(
    [
      `${result.reused ? "Reused" : "Built"} ${m.name}: ${displayPath(io.cwd, result.artifactDir)}/`,
      `  bundle hash   ${m.bundleHash}`,
      `  disk          ${displayPath(io.cwd, result.disk)}`,
      `  sha256        ${m.disk.sha256} (raw disk)`,
      `  sizes         ${mib(m.disk.logicalBytes)} disk, ${mib(m.disk.allocatedBytes)} of it data, ${mib(m.disk.compressedBytes)} compressed; file system ${mib(m.sizes.rootfsBytes)}`,
      `  boot test     ${m.bootTest.ok ? "passed" : "FAILED"} under ${m.bootTest.accelerator.name.toUpperCase()} (QEMU ${m.bootTest.accelerator.qemuVersion ?? "version not recorded"}; ${m.bootTest.accelerator.reason}): ${m.bootTest.boots.map((b) => `${b.firmware.toUpperCase()} "${b.marker}" ${b.readySeconds} s after power-on`).join(", ")}; ${m.bootTest.boots.flatMap((b) => b.checks).filter((c) => c.ok).length} of ${m.bootTest.boots.flatMap((b) => b.checks).length} checks`,
      ...renderBootChecks(m.bootTest.boots),
      `  smoke test    ${m.smoke.ok ? "passed" : "FAILED"}: ${m.smoke.checks.filter((c) => c.ok).length} of ${m.smoke.checks.length} checks (each in manifest.json)`,
      ...renderLynisSummary(m),
      `  build time    ${m.build.seconds} s${result.reused ? " (original build)" : ""}`,
      "",
    ].join("\n"),
  );
  return 0;
}
