// Runs mmdebstrap: a Debian 13 minbase rootfs in the plan's rootfs directory, .debs shared with
// other builds through the apt cache directory. mmdebstrap runs in its own mount, pid and UTS
// namespaces: whatever it mounts dies with it, a cancel stops it at once (it defers SIGTERM until
// its current phase ends), and package scripts see the hostname `localhost`, not the build host's.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BuildLog } from "./build-log.ts";
import type { LocalBuildPlan } from "./plan-local-build.ts";
import { runKillable } from "./run-killable.ts";

// The argv that runs mmdebstrap with `args` in fresh namespaces.
export function renderBootstrapCommand(args: readonly string[]): string[] {
  const script = 'hostname localhost && mount -t proc proc /proc && exec mmdebstrap "$@"';
  return ["unshare", "--mount", "--propagation=private", "--pid", "--uts", "--fork", "--kill-child", "--", "bash", "-c", script, "rtcgw-bootstrap", ...args];
}

// Bootstraps `plan.rootfsDir`; resolves to an error message or undefined on success.
export async function bootstrapRootfs(plan: LocalBuildPlan, log: BuildLog, signal?: AbortSignal): Promise<string | undefined> {
  mkdirSync(plan.aptCacheDir, { recursive: true });
  // mmdebstrap's own temp folders (its gpg home) go in the work dir, so a killed run leaves none in /tmp.
  const tmp = join(plan.workDir, "mmdebstrap-tmp");
  mkdirSync(tmp, { recursive: true });
  log.note(`$ mmdebstrap ${plan.mmdebstrapArgs.join(" ")}`);
  const result = await runKillable(renderBootstrapCommand(plan.mmdebstrapArgs), { log, inheritEnv: true, env: { TMPDIR: tmp }, ...(signal ? { signal } : {}) });
  if (result.exitCode === 0) return undefined;
  const lastError = result.stderr
    .split("\n")
    .filter((l) => /^E: |error/i.test(l))
    .pop();
  return `mmdebstrap exited with ${result.exitCode}${lastError ? `: ${lastError}` : ""}`;
}
