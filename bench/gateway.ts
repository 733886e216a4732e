// Benchmark (not a test): the signalling ceiling. sipp offers calls through the compiled gateway and through a
// minimal stock Kamailio proxy (bench/gateway-sipp/stock-proxy.cfg) in the same run, stepping the offered rate
// until a step has failed calls or retransmissions; signalling only and rtpengine-anchored.
// Run: `nice npx tsx bench/gateway.ts` (`--quick`: 3 s per step; `--seconds=10`, `--workers=4`, `--json`; `--no-capacity` leaves
// dsl/measured-capacity.json as it is).
import { cpus, loadavg } from "node:os";
import { buildE2eRecipe } from "../test/e2e/e2e-recipe.ts";
import { startGatewayStack } from "../test/harness/gateway-stack.ts";
import { startKamailio } from "../test/harness/kamailio.ts";
import { findFreePorts } from "../test/harness/free-ports.ts";
import { sleep } from "../test/harness/start-process.ts";
import { processCpuMs, processTreeCpuMs } from "./gateway-media-cpu.ts";
import { rtpengineDeleteDelaySeconds, rtpengineLogLevel } from "../gateway/rtpengine/compile-rtpengine-config.ts";
import { rtpPortsPerCall } from "../dsl/rules/capacity.ts";
import { runLoad, type LoadOptions, type LoadResult, type LoadTarget } from "./gateway-load.ts";
import { recordCapacityFigures, type FigureResult } from "./capacity-file.ts";

const quick = process.argv.includes("--quick");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const seconds = Number(option("seconds") ?? (quick ? 3 : 10));
// Kamailio's SIP workers (`children`, `tcp_children`): the compiled default is 4; a lever to measure.
const workers = Number(option("workers") ?? 4);
/** Offered rates per kind: start, step, last. */
const steps: Record<LoadOptions["kind"], number[]> = {
  signalling: range(Number(option("signalling-from") ?? 500), Number(option("signalling-step") ?? 500), Number(option("signalling-to") ?? 5000)),
  anchored: range(Number(option("anchored-from") ?? 200), Number(option("anchored-step") ?? 200), Number(option("anchored-to") ?? 2000)),
};

/** One measured step. */
interface CpsRow {
  proxy: "rtcgw" | "stock";
  kind: LoadOptions["kind"];
  result: LoadResult;
  load: number;
}

// Loopback recipe with a flood limit that a load test does not trip; the appliance's 4 SIP workers per socket. The
// overload cap is lifted: this measures what the routing logic carries, which is what first boot sizes the cap from
// (bench/gateway-overload.ts measures the cap itself); with it, every step above the cap would count its 503s as failures.
const recipe = buildE2eRecipe((r) => (r.gateway.security.flood = { requests: 100000, window: "1s", ban: "1s" }));
// Both proxies anchor through one rtpengine, which holds a call's ports for its delete delay after the BYE: a step
// needs rate × seconds calls' ports, and waits until earlier steps' calls have freed enough of them.
const rtpPortCount = 24000;
const heldCalls: Array<{ calls: number; freeAt: number }> = [];
const stack = await startGatewayStack(recipe, {
  rtpPortCount,
  logLevel: 0,
  rtpengineLogLevel,
  sharedMemoryMb: 512,
  gatewayDefines: { WORKERS: workers, OVERLOAD_CPS: 1_000_000 },
});
const rows: CpsRow[] = [];
try {
  const [stockPort] = await findFreePorts(1);
  const stockConfig = new URL("gateway-sipp/stock-proxy.cfg", import.meta.url).pathname;
  const stock = await startKamailio("stock", stockConfig, stack.workDir, {
    defines: { SIP_PORT: stockPort!, WORKERS: workers, ANCHOR: 1, RTPENGINE_SOCKET: `"udp:127.0.0.1:${stack.rtpengine.ngPort}"` },
    ready: { address: "127.0.0.1", port: stockPort! },
    sharedMemoryMb: 512,
  });
  const rtpengineCpu = () => processCpuMs(stack.rtpengine.process.pid);
  const targets: Record<CpsRow["proxy"], LoadTarget> = {
    rtcgw: { workDir: stack.workDir, sipAddress: `127.0.0.1:${stack.gatewayPorts.sip[0]}`, cpuMs: () => processTreeCpuMs(stack.gateway.pid) + rtpengineCpu() },
    stock: { workDir: stack.workDir, sipAddress: `127.0.0.1:${stockPort}`, cpuMs: () => processTreeCpuMs(stock.pid) + rtpengineCpu() },
  };
  console.log(
    `Signalling ceiling: ${seconds} s per step, ${workers} SIP workers per proxy, ${cpus().length} cores, sipp and both proxies on this machine, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (const kind of ["signalling", "anchored"] as const) {
    const clean: Record<CpsRow["proxy"], boolean> = { rtcgw: true, stock: true };
    for (const rate of steps[kind]) {
      if (!clean.rtcgw && !clean.stock) break;
      for (const proxy of ["rtcgw", "stock"] as const) {
        if (!clean[proxy]) continue;
        if (kind === "anchored") await waitForRtpPorts(rate * seconds);
        const result = await runLoad(targets[proxy], { kind, rate, calls: rate * seconds });
        const row: CpsRow = { proxy, kind, result, load: loadavg()[0]! };
        rows.push(row);
        console.log(`  ${formatRow(row).join("  ")}`);
        if (result.failureReasons.length > 0) console.log(`    failed calls: ${formatReasons(result.failureReasons)}`);
        if (kind === "anchored") heldCalls.push({ calls: rate * seconds, freeAt: performance.now() + (rtpengineDeleteDelaySeconds + 1) * 1000 });
        if (!isClean(result)) {
          clean[proxy] = false;
          await sleep(5000); // a collapsed proxy recovers before the next run
        }
      }
    }
  }
  await stock.stop();
} finally {
  await stack.stop();
}
if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
printTable(
  ["proxy", "calls", "offered CPS", "achieved CPS", "successful", "failed", "retrans", "proxy CPU (+ rtpengine)", "sipp CPU", "load 1 min"],
  rows.map(formatRow),
);
console.log("");
const figures: Record<string, FigureResult> = {};
for (const kind of ["signalling", "anchored"] as const) {
  for (const proxy of ["rtcgw", "stock"] as const) {
    const best = rows.filter((r) => r.kind === kind && r.proxy === proxy && isClean(r.result)).sort((a, b) => b.result.rate - a.result.rate)[0];
    console.log(
      `${proxy} ${kind}: highest clean offered rate ${best ? `${best.result.rate} CPS (achieved ${best.result.cps.toFixed(1)}, sipp CPU ${percent(best.result.sippCpuMs, best.result.wallMs)})` : "none"}`,
    );
    if (proxy === "rtcgw" && best) {
      const limitFound = rows.some((r) => r.kind === kind && r.proxy === proxy && !isClean(r.result));
      figures[kind === "signalling" ? "signallingCps" : "anchoredCps"] = { value: best.result.rate, limitFound, loadAverage: best.load };
    }
  }
}
console.log(
  [
    "Clean: every call succeeded and sipp counted no retransmission. Calls come from the PBX side with a preloaded Route",
    "to a sipp answerer that replies 200 at once; hold time 0. CPU: % of one core over the step (proxy: Kamailio and its",
    "workers, plus rtpengine; sipp: caller and answerer). Anchored: rtcgw offers toward a browser (ICE, DTLS fingerprint,",
    "SAVPF), the stock proxy with plain flags; both through the same rtpengine.",
  ].join("\n"),
);
recordCapacityFigures(figures);

// Waits until rtpengine has ports for `calls` more calls: earlier steps' calls hold theirs until the delete delay ends.
async function waitForRtpPorts(calls: number): Promise<void> {
  if (calls * rtpPortsPerCall > rtpPortCount) {
    console.log(`    ${calls} calls need more than rtpengine's ${rtpPortCount} ports: the step measures the port range`);
    return;
  }
  for (;;) {
    const now = performance.now();
    heldCalls.splice(0, heldCalls.length, ...heldCalls.filter((h) => h.freeAt > now));
    const held = heldCalls.reduce((sum, h) => sum + h.calls, 0);
    if ((held + calls) * rtpPortsPerCall <= rtpPortCount) return;
    await sleep(Math.min(...heldCalls.map((h) => h.freeAt)) - now);
  }
}

function isClean(result: LoadResult): boolean {
  return result.failed === 0 && result.retransmissions === 0 && result.successful === result.rate * seconds;
}

function formatRow(row: CpsRow): string[] {
  const r = row.result;
  return [
    row.proxy,
    row.kind,
    String(r.rate),
    r.cps.toFixed(1),
    String(r.successful),
    String(r.failed),
    String(r.retransmissions),
    percent(r.proxyCpuMs, r.wallMs),
    percent(r.sippCpuMs, r.wallMs),
    row.load.toFixed(2),
  ];
}

function formatReasons(reasons: LoadResult["failureReasons"]): string {
  return reasons.map((r) => `${r.calls} × ${r.reason}`).join(", ");
}

function percent(ms: number, wallMs: number): string {
  return `${((100 * ms) / wallMs).toFixed(0)} %`;
}

function range(from: number, step: number, to: number): number[] {
  const rates: number[] = [];
  for (let rate = from; rate <= to; rate += step) rates.push(rate);
  return rates;
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log([line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n"));
}
