// Benchmark of the local image builder: a cold build (fresh output directory, warm apt cache) of the
// default recipe, then a warm rebuild (reuse). Prints times, disk sizes (logical, data, compressed), the
// boot test's accelerator and power-on to ready, the Lynis index and the smoke result.
// Run as root: `nice npx tsx bench/build-local.ts [--out DIR] [--apt-cache DIR] [--keep]`.
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseRecipe } from "../dsl/parse.ts";
import { assembleBundle } from "../image/assemble-bundle.ts";
import { buildLocalImage, type LocalBuildOptions } from "../image/builders/local/build-local-image.ts";
import { checkLocalBuildPrerequisites } from "../image/builders/local/check-prerequisites.ts";
import gateway from "../recipes/gateway.ts";

const { values } = parseArgs({ options: { out: { type: "string" }, "apt-cache": { type: "string" }, keep: { type: "boolean", default: false } } });
const problems = await checkLocalBuildPrerequisites();
if (problems.length > 0) {
  for (const line of problems) console.error(line);
  process.exit(1);
}
const parsed = parseRecipe(gateway);
if (!parsed.ok) throw new Error(`the default recipe does not parse: ${JSON.stringify(parsed.problems)}`);
// The whole bundle (agent and media service included): the boot test starts every service.
const bundle = await assembleBundle(parsed.recipe, "recipes/gateway.ts");
const outDir = values.out ?? mkdtempSync(join(tmpdir(), "rtcgw-bench-"));
const options: LocalBuildOptions = {
  recipe: parsed.recipe,
  recipePath: "recipes/gateway.ts",
  bundle,
  outDir,
  aptCacheDir: values["apt-cache"] ?? join(homedir(), ".cache", "rtcgw", "apt"),
  onProgress: (e) =>
    console.error(
      `  ${(e.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${e.step} ${e.state}${e.stepMs !== undefined ? ` (${(e.stepMs / 1000).toFixed(1)} s)` : ""}${e.detail ? `: ${e.detail}` : ""}`,
    ),
};

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const t0 = performance.now();
const cold = await buildLocalImage(options);
const coldSeconds = (performance.now() - t0) / 1000;
if (!cold.ok || cold.dryRun) {
  console.error(JSON.stringify(cold, null, 2));
  process.exit(1);
}
const t1 = performance.now();
const warm = await buildLocalImage(options);
const warmSeconds = (performance.now() - t1) / 1000;
const { manifest } = cold;
console.log(
  `cold build:   ${coldSeconds.toFixed(1)} s (${Object.entries(manifest.build.steps)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
    .join(", ")})`,
);
console.log(`warm build:   ${warmSeconds.toFixed(2)} s (reused: ${warm.ok && !warm.dryRun && warm.reused})`);
console.log(`rootfs:       ${mib(manifest.sizes.rootfsBytes)}, ${manifest.packages.length} packages`);
console.log(
  `disk:         ${mib(manifest.disk.logicalBytes)} logical, ${mib(manifest.disk.allocatedBytes)} data (what an upload moves, about), ${mib(manifest.disk.compressedBytes)} disk.raw.zst; sha256 ${manifest.disk.sha256}`,
);
console.log(
  `boot test:    ${manifest.bootTest.accelerator.name} (QEMU ${manifest.bootTest.accelerator.qemuVersion}; ${manifest.bootTest.accelerator.reason}); ${manifest.bootTest.boots.map((b) => `${b.firmware} ready in ${b.readySeconds} s`).join(", ")}`,
);
console.log(
  `lynis:        hardening index ${manifest.lynis.hardeningIndex} (rootfs ${manifest.audit.hardeningIndex}, inside the VM ${manifest.bootTest.boots[0]?.lynis?.hardeningIndex} in ${manifest.bootTest.boots[0]?.lynis?.seconds} s), ${manifest.lynis.warnings.length} warning(s)${manifest.lynis.warnings.map((w) => ` [${w.test}: ${w.message}]`).join("")}`,
);
console.log(`smoke:        ${manifest.smoke.ok ? "passed" : "FAILED"} (${manifest.smoke.checks.length} checks)`);
console.log(`artifact:     ${cold.artifactDir}`);
if (!values.keep && values.out === undefined) rmSync(outDir, { recursive: true, force: true });
