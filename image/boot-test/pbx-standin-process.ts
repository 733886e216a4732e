// The PBX stand-in (image/smoke/pbx-standin.ts) as a child process of this one (the same node and tsx), and
// the JSON lines it prints: one per SIP request it answered.
import process from "node:process";
import { execa } from "execa";

/** A running stand-in. */
export interface PbxStandinProcess {
  /** Its stdout lines so far (a "listening" line, then one per request). */
  lines: string[];
  stop(): void;
}

// Starts the stand-in on `address`:`port`; resolves once it listens.
export async function startPbxStandin(address: string, port: number): Promise<PbxStandinProcess> {
  const path = new URL("../smoke/pbx-standin.ts", import.meta.url).pathname;
  const standin = execa(process.execPath, [...process.execArgv, path, String(port), address], { reject: false, stdout: "pipe", stderr: "inherit" });
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    standin.stdout!.on("data", (chunk: Buffer) => {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      if (lines.some((line) => line.includes('"listening"'))) resolve();
    });
    void standin.then((r) => reject(new Error(`the PBX stand-in exited with ${r.exitCode ?? r.signal}: ${String(r.stderr ?? "")}`)));
  });
  return { lines, stop: () => standin.kill("SIGKILL") };
}

// The first line that matches, waiting up to `waitMs` for it (the stand-in's pipe may be read after the answer it sent arrived).
export async function waitForLine(lines: string[], match: (line: string) => boolean, waitMs: number): Promise<string | undefined> {
  for (const until = Date.now() + waitMs; ; await new Promise((r) => setTimeout(r, 50))) {
    const line = lines.find(match);
    if (line !== undefined || Date.now() > until) return line;
  }
}
