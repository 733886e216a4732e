// Test helper: runs a system tool to completion; a missing tool fails the test naming its Debian package.
import { spawn } from "node:child_process";
import { requireBinary } from "../harness/require-binary.ts";

/** A finished tool run. */
export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Runs a tool with no stdin (or fed `input`) and collects its output.
export function runTool(command: string, args: readonly string[], debianPackage: string, input?: string): Promise<ToolResult> {
  const path = requireBinary(command, debianPackage);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
    if (child.stdin) {
      child.stdin.on("error", () => {}); // a tool may exit without reading its input; its exit code tells
      child.stdin.end(input);
    }
  });
}
