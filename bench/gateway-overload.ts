// Benchmark (not a test): goodput through the compiled gateway when new calls arrive at 1×, 1.5×, 2× and
// 3× its clean rate, and how long it takes to admit new calls again once a burst ends. sipp on loopback
// (callers on the PBX side, an answering sipp behind the gateway), as bench/gateway.ts; the gateway runs
// its overload cap (OVERLOAD_CPS) as first boot would size it for this machine's cores.
// Run: `nice npx tsx bench/gateway-overload.ts` (options: --clean=CPS --seconds=N --kind=signalling|anchored
// --cap=CPS; defaults: the cap for this machine, 10 s per step, signalling). Re-run on a quiet machine:
// the load average is printed beside every row.
import { cpus, loadavg } from "node:os";
import { buildE2eRecipe } from "../test/e2e/e2e-recipe.ts";
import { pbxAddress, startGatewayStack } from "../test/harness/gateway-stack.ts";
import { sizeGatewayLimits } from "../gateway/kamailio/size-gateway-limits.ts";
import { runLoad, type LoadTarget } from "./gateway-load.ts";
import { processTreeCpuMs } from "./gateway-media-cpu.ts";
import { startOverloadProbe } from "./overload-probe.ts";

if (process.argv.includes("--help")) {
  console.log(
    "usage: nice npx tsx bench/gateway-overload.ts [--clean=CPS] [--cap=CPS] [--seconds=N] [--kind=signalling|anchored]\n" +
      "goodput at 1x, 1.5x, 2x and 3x the clean rate through the compiled gateway, and the time to admit new calls after each burst",
  );
  process.exit(0);
}
const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const cap = Number(option("cap", String(sizeGatewayLimits({ memoryMiB: 2048, cores: cpus().length }).overloadCps)));
const clean = Number(option("clean", String(cap)));
const seconds = Number(option("seconds", "10"));
const kind = option("kind", "signalling") as "signalling" | "anchored";
const multipliers = [1, 1.5, 2, 3];

// A flood limit a load test does not trip; 4 SIP workers per socket and 512 MB, as bench/gateway.ts.
const recipe = buildE2eRecipe((r) => (r.gateway.security.flood = { requests: 100000, window: "1s", ban: "1s" }));
const stack = await startGatewayStack(recipe, { rtpPortCount: 8000, logLevel: 0, sharedMemoryMb: 512, gatewayDefines: { WORKERS: 4, OVERLOAD_CPS: cap } });
// Ctrl-C or a kill ends every process of the run (gateway, rtpengine, PBX stand-in, sipp) before exiting.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stack.stop().finally(() => process.exit(130)));
const gateway = `127.0.0.1:${stack.gatewayPorts.sip[0]}`;
const target: LoadTarget = { workDir: stack.workDir, sipAddress: gateway, cpuMs: () => processTreeCpuMs(stack.gateway.pid) };
const rows: string[][] = [];
console.log(`${kind} calls, ${seconds} s per step, clean rate ${clean} CPS, overload cap ${cap} CPS, ${cpus().length} cores`);
try {
  for (const multiplier of multipliers) {
    const rate = Math.round(clean * multiplier);
    const probe = await startOverloadProbe(pbxAddress, gateway);
    const started = Date.now();
    const result = await runLoad(target, { kind, rate, calls: rate * seconds });
    const burstEnd = started + seconds * 1000;
    await probe.stop();
    const lastRefused = Math.max(0, ...probe.refusedAt.filter((at) => at >= burstEnd - 1000));
    const recovery = lastRefused === 0 ? 0 : Math.max(0, lastRefused - burstEnd);
    const goodput = result.successful / seconds;
    rows.push([
      `${multiplier}×`,
      String(rate),
      String(result.successful),
      String(result.failed),
      goodput.toFixed(0),
      `${((100 * goodput) / clean).toFixed(0)} %`,
      String(result.retransmissions),
      `${(recovery / 1000).toFixed(2)} s`,
      loadavg()[0]!.toFixed(2),
    ]);
    console.log(rows.at(-1)!.join("  "));
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
} finally {
  await stack.stop();
}
printTable(["offered", "CPS", "successful", "failed", "goodput CPS", "of clean", "retrans", "recovery", "load 1 min"], rows);

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log([line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n"));
}
