// Benchmark (not a test): WebRTC-to-SIP calls through rtcgw's compiled gateway and through Janus (SIP plugin)
// side by side, with the same browsers (a second rtpengine doing ICE + DTLS-SRTP + RTCP-mux), the same PBX
// stand-in and the same media. Run: `nice npx tsx bench/webrtc.ts` (`--quick`; `--calls=100,400`, `--seconds=20`,
// `--rate=50` (or `--rate=50,100,200` to step the setup rate), `--janus-rate=8` (Janus's setups are offered at most at
// this rate, below the ~10/s it completes, so its runs measure parallel calls, not its setup queue), `--gateways=rtcgw,janus`,
// `--codecs=PCMU,opus`, `--json`, `--gateway-rtpengine=PATH` (rtcgw's rtpengine: the image's, made by
// `npx tsx test/harness/image-tools.ts`; this machine's `rtpengine` unless given);
// `--no-capacity` leaves dsl/measured-capacity.json as it is).
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { programVersion } from "../test/harness/image-tools.ts";
import { stopAllProcesses } from "../test/harness/start-process.ts";
import { findHostAddress, startBrowsers, type BrowserCodec } from "./webrtc/browsers.ts";
import type { GatewayName } from "./webrtc/gateways.ts";
import { encodeOpusTone } from "./webrtc/opus-frames.ts";
import { recordCapacityFigures } from "./capacity-file.ts";
import { formatWebrtcTable, webrtcCapacityFigures, webrtcNotes } from "./webrtc/report.ts";
import { browserPorts, browserThreads, runCalls, type RunResult } from "./webrtc/run-calls.ts";

const quick = process.argv.includes("--quick");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const list = (name: string, fallback: string) => (option(name) ?? fallback).split(",").filter(Boolean);
const seconds = Number(option("seconds") ?? (quick ? 5 : 20));
const rates = list("rate", "50").map(Number);
const janusRate = Number(option("janus-rate") ?? 8);
const callCounts = list("calls", quick ? "50,200" : "100,200,400,600").map(Number);
const gateways = list("gateways", "rtcgw,janus") as GatewayName[];
const codecs = list("codecs", "PCMU,opus") as BrowserCodec[];
const gatewayRtpengine = option("gateway-rtpengine");
if (
  [seconds, janusRate, ...rates, ...callCounts].some((n) => !(n > 0)) ||
  gateways.some((g) => g !== "rtcgw" && g !== "janus") ||
  codecs.some((c) => c !== "PCMU" && c !== "opus")
) {
  console.error(
    "usage: npx tsx bench/webrtc.ts [--quick] [--calls=N,N] [--seconds=S] [--rate=CPS,CPS] [--janus-rate=CPS] [--gateways=rtcgw,janus] [--codecs=PCMU,opus] [--json] [--no-capacity] [--gateway-rtpengine=PATH]",
  );
  process.exit(2);
}

const most = Math.floor(browserPorts / 4);
if (callCounts.some((n) => n > most)) {
  console.error(`--calls: at most ${most} calls per run (the browser rtpengine's ${browserPorts} media ports, 4 per call)`);
  process.exit(2);
}

const abort = new AbortController();
const workDir = mkdtempSync(join(tmpdir(), "rtcgw-bench-webrtc-"));
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: hanging up and stopping every process of the run`);
    stopping = true;
    abort.abort();
    setTimeout(() => void stopAllProcesses().finally(() => process.exit(130)), 15_000).unref();
  });
}

process.once("uncaughtException", (error) => {
  console.error(error);
  void stopAllProcesses().finally(() => {
    rmSync(workDir, { recursive: true, force: true });
    process.exit(1);
  });
});

const hostAddress = findHostAddress();
const gatewayRtpengineVersion = (() => {
  try {
    return programVersion(gatewayRtpengine ?? "rtpengine");
  } catch (error) {
    // A wrong --gateway-rtpengine stops the run here, before any process starts.
    console.error(`--gateway-rtpengine: ${(error as Error).message}; give the path test/harness/image-tools.ts printed`);
    process.exit(2);
  }
})();
console.log(
  `WebRTC-leg benchmark: ${seconds} s of audio per run, call setups offered at ${rates.join(", ")}/s (Janus: at most ${janusRate}/s), ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; rtcgw's rtpengine: ${gatewayRtpengine ?? "this machine's"} (${gatewayRtpengineVersion})`,
);
const results: RunResult[] = [];
try {
  const encoder = await startBrowsers(workDir, browserPorts, browserThreads, hostAddress);
  const opusFrames = await encodeOpusTone(encoder).finally(() => encoder.stop());
  for (const calls of callCounts) {
    for (const rate of rates)
      for (const codec of codecs) {
        for (const gateway of gateways) {
          if (stopping) break;
          // Janus relays media as negotiated and never transcodes: an Opus browser and a PCMU-only PBX cannot talk through it.
          if (gateway === "janus" && codec === "opus") continue;
          if (gateway === "janus" && rate !== rates[0]) continue; // Janus runs once per size, at its own rate

          const offered = gateway === "janus" ? Math.min(rate, janusRate) : rate;
          const result = await runCalls({
            gateway,
            codec,
            calls,
            rate: offered,
            seconds,
            workDir,
            hostAddress,
            rtpengine: gatewayRtpengine,
            opusFrames,
            signal: abort.signal,
          });
          if (stopping) break;
          results.push(result);
          console.log(`  ${formatWebrtcTable([result]).split("\n")[2]}`);
        }
      }
  }
} finally {
  await stopAllProcesses();
  rmSync(workDir, { recursive: true, force: true });
}
if (stopping) process.exit(130);
if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
console.log(`\n${formatWebrtcTable(results)}\n\n${webrtcNotes(results).join("\n")}`);
recordCapacityFigures(webrtcCapacityFigures(results));
