import { execa } from "execa";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const projectDir = join(dirname(fileURLToPath(import.meta.url)), "../..");

// Runs the real CLI (bin/rtcgw.mjs) as a child process, as a user would.
export async function runCli(args: string[], options: { cwd?: string } = {}) {
  const result = await execa("node", [join(projectDir, "bin/rtcgw.mjs"), ...args], { cwd: options.cwd ?? projectDir, reject: false, env: { NO_COLOR: "1" } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
