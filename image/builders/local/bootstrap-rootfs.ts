// Runs mmdebstrap: a Debian 12 minbase rootfs in the plan's rootfs directory, .debs shared with
// other builds through the apt cache directory.
import { mkdirSync } from "node:fs";
import { execa } from "execa";
import type { BuildLog } from "./build-log.ts";
import type { LocalBuildPlan } from "./plan-local-build.ts";

// Bootstraps `plan.rootfsDir`; resolves to an error message or undefined on success.
export async function bootstrapRootfs(plan: LocalBuildPlan, log: BuildLog, signal?: AbortSignal): Promise<string | undefined> {
  mkdirSync(plan.aptCacheDir, { recursive: true });
  log.note(`$ mmdebstrap ${plan.mmdebstrapArgs.join(" ")}`);
  const result = await execa("mmdebstrap", plan.mmdebstrapArgs, {
    reject: false,
    stdin: "ignore",
    stdout: { file: log.path, append: true },
    stderr: ["pipe", { file: log.path, append: true }],
    ...(signal ? { cancelSignal: signal } : {}),
    forceKillAfterDelay: 10_000,
  });
  if (result.isCanceled) throw signal?.reason ?? new Error("canceled");
  if (result.exitCode === 0) return undefined;
  const lastError = String(result.stderr).split("\n").filter((l) => /^E: |error/i.test(l)).pop();
  return `mmdebstrap exited with ${result.exitCode ?? result.signal}${lastError ? `: ${lastError}` : ""}`;
}
