// Benchmark (not a test): N parallel calls with G.711 RTP flowing through rtpengine, started with the
// compiled rtpengine.conf, beside the reference product's published parallel-call figures.
// Run: `npx tsx bench/gateway-media.ts` (`--quick` for a short run; `--calls=100,400`, `--seconds=20`, `--legs=rtp`,
// `--threads=2` (rtpengine worker threads) to choose;
// `--no-capacity` leaves dsl/measured-capacity.json as it is).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Recipe } from "../dsl/resolve.ts";
import { findFreePorts } from "../test/harness/free-ports.ts";
import { buildTestRecipe, writeRtpengineConfig } from "../test/harness/gateway-config.ts";
import { startRtpengine, type RunningRtpengine } from "../test/harness/rtpengine.ts";
import { countCalls, createCall, deleteCall, type AnchoredCall, type LegSecurity } from "./gateway-media-calls.ts";
import { processCpuMs, processRunDelayMs } from "./gateway-media-cpu.ts";
import { loopbackUdpDrops } from "./gateway-media-drops.ts";
import { closeEndpoints, openEndpoints, pumpMedia, type MediaEndpoint, type PumpResult } from "./gateway-media-pump.ts";
import { recordCapacityFigures } from "./capacity-file.ts";

const quick = process.argv.includes("--quick");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const seconds = Number(option("seconds") ?? (quick ? 5 : 20));
const callCounts = (option("calls") ?? (quick ? "100,400" : "100,200,300,400,500")).split(",").map(Number);
const legs: LegSecurity[] = (option("legs") ?? "rtp,sdes-srtp").split(",") as LegSecurity[];
// rtpengine worker threads: the compiled default (none passed: one per core, at least 4) unless `--threads=N`.
const threads = option("threads") === undefined ? "default" : Number(option("threads"));
const bKey = Buffer.alloc(30, 0x5a).toString("base64"); // B's SDES master key + salt (same for every call)

/** What is running right now, so Ctrl-C and errors can delete sessions and stop rtpengine. */
const current: { engine?: RunningRtpengine; workDir?: string; calls: AnchoredCall[]; endpoints: MediaEndpoint[]; pump: AbortController } = {
  calls: [],
  endpoints: [],
  pump: new AbortController(),
};
let interrupted = false;
let workerThreads = "";
// Teardowns run one after another, so Ctrl-C during a run's own teardown waits for it instead of racing it.
let tearingDown = Promise.resolve();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: deleting sessions and stopping rtpengine`);
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  });
}
process.once("uncaughtException", (error) => {
  console.error(error);
  void cleanUp().finally(() => process.exit(1));
});

console.log(`rtpengine media benchmark: ${seconds} s per run, G.711 PCMU 20 ms (160-byte payload, 50 packets/s per direction)`);
console.log(`rtpengine userspace (table = -1) with the compiled rtpengine.conf on 127.0.0.1 (started by the test harness);`);
console.log(`load generator in this process on the same machine (${cpus().length} cores); load average ${formatLoad()}`);
const rows: string[][] = [];
try {
  for (const leg of legs) {
    for (const calls of callCounts) {
      const row = await runOne(calls, leg);
      rows.push(row);
      console.log(`  ${row.join("  ")}`);
    }
  }
} catch (error) {
  if (!interrupted) throw error;
} finally {
  await cleanUp();
}
if (interrupted) process.exit(130);
printTable(
  [
    "leg B",
    "calls",
    "RTP range",
    "sent",
    "received",
    "loss %",
    "transit p50 / p99 / max ms",
    "drops rtpengine / generator",
    "late sends (max lag ms)",
    "rtpengine CPU / waited",
    "µs/packet",
    "generator CPU / waited",
    "load 1 min",
    "reference (cookbook)",
  ],
  rows,
);
console.log(
  [
    "",
    "loss: (sent - received) / sent, both directions; a packet not received 1 s after the last send counts as lost.",
    "transit: from the actual send to this process's receive callback, an upper bound of rtpengine's delay (a high p99",
    "means packets queued in front of a process that did not get enough CPU). CPU: % of one core over the run",
    "(rtpengine: all its threads, from /proc/<pid>/stat; generator: this Node process, sending and receiving); waited:",
    "time its threads were runnable but waiting for a core, summed over threads (/proc/<pid>/task/*/schedstat).",
    "µs/packet: rtpengine CPU time per packet forwarded. drops: the kernel's UDP receive-buffer drops (/proc/net/udp)",
    "at rtpengine's sockets and at the generator's. late sends: sends more than 20 ms behind schedule (the generator",
    "fell behind: then the loss is the generator's, not rtpengine's).",
    "Leg A is always plain RTP/AVP. sdes-srtp makes leg B RTP/SAVP (AES_CM_128_HMAC_SHA1_80 keyed by SDES), so rtpengine",
    "decrypts and encrypts every packet of that leg, as it does for a WebRTC leg once DTLS has keyed it.",
    "Not included: DTLS handshakes, ICE (STUN checks), RTCP, Opus<->PCMU transcoding, Kamailio signalling.",
    `rtpengine worker threads: ${workerThreads}.`,
    ...verdicts(),
  ].join("\n"),
);
recordCapacityFigures(mediaCapacityFigure());

// The most plain-RTP calls with < 0.1 % loss (the limit when a larger run lost more).
function mediaCapacityFigure() {
  const plain = rows.filter((r) => r[0] === "rtp");
  const best = plain.filter((r) => Number(r[5]) < 0.1).sort((a, b) => Number(b[1]) - Number(a[1]))[0];
  if (!best) return {};
  return { callsWithMedia: { value: Number(best[1]), limitFound: plain.some((r) => Number(r[1]) > Number(best[1])), loadAverage: Number(best[12]) } };
}

// One run: rtpengine with the recipe for `calls`, `calls` anchored calls, media for `seconds`, then teardown.
async function runOne(calls: number, leg: LegSecurity): Promise<string[]> {
  const recipe = recipeFor(calls);
  const { rtp } = recipe.gateway.listen;
  const workDir = (current.workDir = mkdtempSync(join(tmpdir(), "rtcgw-bench-media-")));
  const [ngPort] = await findFreePorts(1);
  const configPath = writeRtpengineConfig(recipe, workDir);
  current.engine = await startRtpengine(workDir, { ngPort: ngPort!, ports: { min: rtp.from, max: rtp.to }, configPath, threads });
  const engine = current.engine;
  workerThreads = rtpengineWorkerThreads(engine.process.pid);
  current.endpoints = await openEndpoints(2 * calls);
  current.calls = [];
  await forEachLimited(calls, 16, async (i) => {
    current.calls[i] = await createCall(engine, i, current.endpoints[2 * i]!.port, current.endpoints[2 * i + 1]!.port, leg, bKey);
  });
  const held = await countCalls(engine);
  if (held !== calls) throw new Error(`rtpengine holds ${held} calls, expected ${calls}`);

  const cpu = { engine: 0, own: 0, engineWait: 0, ownWait: 0 };
  const drops = { engine: 0, own: 0 };
  const ownPorts = new Set(current.endpoints.map((e) => e.port));
  current.pump = new AbortController();
  const result = await pumpMedia(current.calls, current.endpoints, {
    seconds,
    signal: current.pump.signal,
    onStart: () => {
      cpu.engine = processCpuMs(engine.process.pid);
      cpu.own = processCpuMs("self");
      cpu.engineWait = processRunDelayMs(engine.process.pid);
      cpu.ownWait = processRunDelayMs("self");
    },
    onDrained: () => {
      cpu.engine = processCpuMs(engine.process.pid) - cpu.engine;
      cpu.own = processCpuMs("self") - cpu.own;
      cpu.engineWait = processRunDelayMs(engine.process.pid) - cpu.engineWait;
      cpu.ownWait = processRunDelayMs("self") - cpu.ownWait;
      // The sockets are new in this run, so their counters are this run's drops.
      drops.engine = loopbackUdpDrops((port) => port >= rtp.from && port <= rtp.to);
      drops.own = loopbackUdpDrops((port) => ownPorts.has(port));
    },
  });
  if (interrupted) throw new Error("interrupted");
  const load = loadavg()[0]!.toFixed(2);
  await tearDown();
  if (leg === "sdes-srtp" && !result.srtpChecked) throw new Error("SRTP check failed: B's first packet did not decrypt to A's payload");
  return formatRow(leg, calls, `${rtp.from}-${rtp.to}`, result, cpu, drops, load);
}

// The default recipe (RTP 10000-11000: 250 calls) when it holds `calls`, else a variant whose RTP range
// and capacity target hold them, validated by parseRecipe (including the DSL's capacity check).
function recipeFor(calls: number): Recipe {
  if (calls <= 250) return buildTestRecipe();
  return buildTestRecipe((r) => {
    r.gateway.listen.rtp = `10000-${10000 + 4 * calls - 1}`;
    r.gateway.capacity = { parallelCalls: calls };
  });
}

// Stops the pump, closes the endpoints, deletes every session of the current run, checks rtpengine holds
// none and stops rtpengine by PID.
function tearDown(): Promise<void> {
  tearingDown = tearingDown.then(tearDownNow, tearDownNow);
  return tearingDown;
}

async function tearDownNow(): Promise<void> {
  const { engine, calls, endpoints, workDir } = current;
  current.pump.abort();
  current.calls = [];
  current.endpoints = [];
  current.engine = undefined;
  current.workDir = undefined;
  await closeEndpoints(endpoints);
  if (engine?.process.isAlive()) {
    const live = calls.filter(Boolean);
    await forEachLimited(live.length, 16, (i) => deleteCall(engine, live[i]!.callId));
    const left = await countCalls(engine).catch(() => -1);
    if (left !== 0) console.error(`rtpengine still holds ${left} calls after delete`);
    else if (interrupted) console.error(`deleted ${live.length} sessions; rtpengine holds none`);
  }
  await engine?.process.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

async function cleanUp(): Promise<void> {
  await tearDown().catch((error) => console.error(`teardown: ${error}`));
}

async function forEachLimited(count: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

function formatRow(
  leg: LegSecurity,
  calls: number,
  range: string,
  r: PumpResult,
  cpu: { engine: number; own: number; engineWait: number; ownWait: number },
  drops: { engine: number; own: number },
  load: string,
): string[] {
  const loss = r.sent === 0 ? 0 : (100 * (r.sent - r.received)) / r.sent;
  const reference = calls === 400 ? "target ≥ 400, loss < 0.1 %" : calls === callCounts[0] ? "180 (m3.medium), 372 (m4.large)" : "";
  const perPacketUs = r.received === 0 ? 0 : (1000 * cpu.engine) / r.received;
  return [
    leg,
    String(calls),
    range,
    String(r.sent),
    String(r.received) + (r.foreign ? ` (+${r.foreign} foreign)` : "") + (r.errors ? ` (${r.errors} socket errors)` : ""),
    loss.toFixed(3),
    [r.delayP50Ms, r.delayP99Ms, r.delayMaxMs].map((ms) => ms.toFixed(1)).join(" / "),
    `${drops.engine} / ${drops.own}`,
    `${r.lateSends} (${r.maxLagMs.toFixed(1)})`,
    percent(cpu.engine, r.wallMs, cpu.engineWait),
    perPacketUs.toFixed(1),
    percent(cpu.own, r.wallMs, cpu.ownWait),
    load,
    reference,
  ];
}

// The target line per leg: ≥ 400 parallel calls with < 0.1 % loss.
function verdicts(): string[] {
  return rows
    .filter((r) => r[1] === "400")
    .map((r) => `target (400 calls, < 0.1 % loss), leg B ${r[0]}: ${Number(r[5]) < 0.1 ? "met" : "NOT met"} (${r[5]} %)`);
}

// rtpengine's --num-threads as the harness started it, or its default (one per core, at least 4: rtpengine 10.5).
function rtpengineWorkerThreads(pid: number): string {
  const match = /--num-threads=(\d+)/.exec(readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "));
  return match ? match[1]! : `${Math.max(cpus().length, 4)} (rtpengine's default: one per core, at least 4; one poller per thread, as compiled)`;
}

function percent(runMs: number, wallMs: number, waitMs: number): string {
  return `${((100 * runMs) / wallMs).toFixed(0)} % / ${((100 * waitMs) / wallMs).toFixed(0)} %`;
}

function formatLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log([line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)].join("\n"));
}
