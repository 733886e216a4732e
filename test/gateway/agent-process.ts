// Runs the bundled agent (files/usr/lib/rtcgw/agent.mjs from bundleAgent) as a child process against a temp
// root, the way systemd runs it on the appliance.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GeneratedFile } from "../../gateway/generated-file.ts";

/** A started `agent.mjs serve`. */
export interface AgentProcess {
  port: number;
  output: string[];
  stop(): Promise<void>;
}

const quiet = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret" };

// Writes the bundle's `files/` tree under root.
export async function installBundleFiles(files: GeneratedFile[], root: string): Promise<void> {
  for (const file of files) {
    const path = join(root, file.path.replace(/^files\//, ""));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content, { mode: file.mode ?? 0o644 });
  }
}

// Runs `agent.mjs firstboot` to completion; rejects with its output when it fails.
export function runAgentFirstBoot(root: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "usr/lib/rtcgw/agent.mjs"), "firstboot", "--root", root, ...args], { env: quiet });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`firstboot exited ${code}:\n${output}`))));
  });
}

// Starts `agent.mjs serve` on a free loopback port and waits until it listens.
export function startAgentServe(root: string, args: string[]): Promise<AgentProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, "usr/lib/rtcgw/agent.mjs"), "serve", "--root", root, "--listen-address", "127.0.0.1", "--listen-port", "0", ...args],
    { env: quiet },
  );
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not start:\n${output.join("")}`)), 10_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      const port = /on 127\.0\.0\.1:(\d+);/.exec(output.join(""))?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({
          port: Number(port),
          output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
    child.on("exit", (code) => reject(new Error(`agent exited ${code}:\n${output.join("")}`)));
  });
}
