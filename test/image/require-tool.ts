// Test helper: runs a system tool and fails (never skips) with the Debian package to install when it is missing.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** A finished tool run. */
export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

// The tool's absolute path; throws naming the Debian package when it is not installed.
export function requireTool(command: string, debianPackage: string): string {
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...searchPath]) {
    const candidate = `${dir}/${command}`;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next directory
    }
  }
  throw new Error(`\`${command}\` is not installed: apt-get install -y ${debianPackage} (and list it in .ci/apt-packages.txt)`);
}

// Runs a tool to completion with stdin closed (or fed `input`), collecting its output.
export function runTool(command: string, args: readonly string[], debianPackage: string, input?: string): Promise<ToolResult> {
  const path = requireTool(command, debianPackage);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}
