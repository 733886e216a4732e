// Shared by the AWS script tests: runs a rendered script with real sh, with stand-in commands first on PATH.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** How a script run ended: exit code and stdout + stderr interleaved. */
export interface ShellRun {
  code: number;
  output: string;
}

// Runs `script` with `sh -c` (async: the test's stand-in servers live in this process).
export function runScript(script: string, env: Record<string, string>): Promise<ShellRun> {
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", script], { env: { ...process.env, ...env } });
    let output = "";
    child.stdout.on("data", (c: Buffer) => void (output += c));
    child.stderr.on("data", (c: Buffer) => void (output += c));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

// Writes each stand-in as an executable `#!/bin/sh` script into `<dir>/bin` and returns that folder (to put first on PATH).
export function stubCommands(dir: string, stubs: Record<string, string>): string {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(stubs)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}
