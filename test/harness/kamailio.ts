import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "./require-binary.ts";
import { sleep, startProcess, type RunningProcess } from "./start-process.ts";

/** `-A NAME=value` overrides; strings must carry their double quotes. */
export type KamailioDefines = Record<string, string | number>;

function kamailioBinary(): string {
  return requireBinary("kamailio", "kamailio");
}

function defineArgs(defines: KamailioDefines): string[] {
  return Object.entries(defines).flatMap(([name, value]) => ["-A", `${name}=${value}`]);
}

// Runs `kamailio -c -f`: the exit code and output of the config check.
export function checkKamailioConfig(configPath: string, defines: KamailioDefines = {}): { status: number | null; output: string } {
  const result = spawnSync(kamailioBinary(), ["-c", "-f", configPath, ...defineArgs(defines)], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// Starts Kamailio in the foreground with a private run directory; fails unless it is still alive after `settleMs`.
export async function startKamailio(name: string, configPath: string, workDir: string, defines: KamailioDefines = {}, settleMs = 2000, sharedMemoryMb = 64): Promise<RunningProcess> {
  const rundir = join(workDir, `${name}-run`);
  mkdirSync(rundir, { recursive: true });
  const logPath = join(workDir, `${name}.log`);
  const args = ["-DD", "-E", "-Y", rundir, "-f", configPath, "-m", String(sharedMemoryMb), "-M", "8", ...defineArgs(defines)];
  const proc = startProcess(name, kamailioBinary(), args, logPath);
  await sleep(settleMs);
  if (!proc.isAlive()) {
    throw new Error(`${name} (kamailio) exited during start-up with ${await proc.exited}:\n${tail(logPath)}`);
  }
  return proc;
}

// The last lines of a log file, for failure messages.
export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
