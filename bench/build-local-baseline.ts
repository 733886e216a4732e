// The Lynis baseline: a plain Debian 13 minbase rootfs (mmdebstrap, nothing added, not provisioned),
// audited exactly like a built image (same profile, chroot, private namespaces). Run as root:
// `nice npx tsx bench/build-local-baseline.ts [--apt-cache DIR]`.
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { auditRootfs } from "../image/audit/audit-rootfs.ts";
import { openBuildLog } from "../image/builders/local/build-log.ts";
import { debianSuite, defaultMirrors, renderMmdebstrapArgs, type BaseImage } from "../image/builders/local/plan-local-build.ts";

const { values } = parseArgs({ options: { "apt-cache": { type: "string" } } });
const aptCacheDir = values["apt-cache"] ?? join(homedir(), ".cache", "rtcgw", "apt");
const workDir = mkdtempSync(join(tmpdir(), "rtcgw-baseline-"));
try {
  const log = openBuildLog(join(workDir, "build.log"));
  const base: BaseImage = {
    suite: debianSuite,
    variant: "minbase",
    include: [],
    mirrors: defaultMirrors,
  };
  const args = renderMmdebstrapArgs(base, "root", aptCacheDir, join(workDir, "rootfs")).filter((arg) => arg !== "--include=" && !arg.startsWith("--dpkgopt="));
  await execa("mmdebstrap", args, { stdout: { file: log.path, append: true }, stderr: { file: log.path, append: true } });
  const audit = await auditRootfs({ rootDir: join(workDir, "rootfs"), workDir, log });
  if (!audit.ok) throw new Error(audit.message);
  console.log(
    `plain minbase: Lynis hardening index ${audit.lynis.hardeningIndex}, ${audit.lynis.testsPerformed} tests, ${audit.lynis.warnings.length} warning(s)${audit.lynis.warnings.map((w) => ` [${w.test}: ${w.message}]`).join("")}, ${audit.lynis.suggestions.length} suggestions`,
  );
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
