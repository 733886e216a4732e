// Benchmark (not a test): whole-process time of `rtcgw check` and `rtcgw compile` on the default
// recipe, median of 5 runs each, against the 2 s target. Run: node --import tsx bench/check-compile.ts
import { execa } from "execa";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const runs = 5;
const targetSeconds = 2;
const cli = join(import.meta.dirname, "../bin/rtcgw.mjs");
const out = await mkdtemp(join(tmpdir(), "rtcgw-bench-"));

async function median(args: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await execa("node", [cli, ...args], { cwd: join(import.meta.dirname, "..") });
    times.push((performance.now() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

await execa("node", [cli, "check", "recipes/gateway.ts"], { cwd: join(import.meta.dirname, "..") }); // warm the disk cache
const check = await median(["check", "recipes/gateway.ts"]);
const compile = await median(["compile", "recipes/gateway.ts", "--out", join(out, "bundle")]);
await rm(out, { recursive: true, force: true });

const row = (name: string, seconds: number) =>
  `| ${name.padEnd(17)} | ${seconds.toFixed(2).padStart(6)} s | < ${targetSeconds} s | ${seconds < targetSeconds ? "met" : "MISSED"} |`;
console.log(`rtcgw check + compile, default recipe, median of ${runs} whole-process runs (node ${process.version})\n`);
console.log("| command           | median   | target | status |");
console.log("|-------------------|----------|--------|--------|");
console.log(row("check", check));
console.log(row("compile", compile));
console.log(row("check + compile", check + compile));
