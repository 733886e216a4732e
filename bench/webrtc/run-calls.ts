// One run of the WebRTC benchmark: N browsers (the browser rtpengine) call the PBX stand-in through a gateway at a
// set rate; each call's setup ends when the browser's first RTP packet reaches the PBX endpoint (ICE, DTLS-SRTP
// done); then every call carries 20 ms audio both ways for a while; then all hang up.
import { loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { mediaPort } from "../gateway-media-calls.ts";
import { processCpuMs } from "../gateway-media-cpu.ts";
import { loopbackUdpDrops } from "../gateway-media-drops.ts";
import { closeEndpoints, openEndpoints, pumpMedia, type CallPorts, type MediaEndpoint, type PumpResult } from "../gateway-media-pump.ts";
import { browserFailure, plainSdp, startBrowsers, type BrowserCodec, type Browsers } from "./browsers.ts";
import { startGateway, type GatewayName, type GatewayUnderTest } from "./gateways.ts";
import { startPbxUas } from "./pbx-uas.ts";
import { buildStream } from "./streams.ts";

/** One run's parameters. */
export interface RunOptions {
  gateway: GatewayName;
  codec: BrowserCodec;
  calls: number;
  /** Offered call setups per second. */
  rate: number;
  seconds: number;
  workDir: string;
  hostAddress: string;
  /** rtcgw's rtpengine program (see gateways.ts). */
  rtpengine?: string;
  opusFrames: Buffer[];
  /** Stops the run early (Ctrl-C). */
  signal: AbortSignal;
}

/** What one run measured. */
export interface RunResult {
  options: Omit<RunOptions, "opusFrames" | "signal" | "workDir" | "hostAddress" | "rtpengine">;
  setup: {
    established: number;
    failed: number;
    failedByGenerator: number;
    firstError?: string;
    p50Ms: number;
    p99Ms: number;
    achievedRate: number;
    gatewayCpuMsPerCall: number;
  };
  media: PumpResult & { generatorDrops: number };
  cpu: { gatewayMs: number; browsersMs: number; ownMs: number };
  /** What the gateway's CPU figure covers. */
  gatewayProcesses: string;
  /** SIP requests the PBX stand-in received per method by the end of the audio phase. */
  pbxRequests: Record<string, number>;
  /** The generator's event loop: longest stall during the audio phase, ms. */
  eventLoopMaxMs: number;
  load: number[];
}

const setupTimeoutMs = 5000;
/** The most probe packets a setup sends (one per 20 ms); the audio phase's sequence numbers start after them. */
const probeLimit = setupTimeoutMs / 20;
/** The browser rtpengine's media ports (4 per call: up to 1000 calls). */
export const browserPorts = 4000;
/** The browser rtpengine's worker threads (one per core here; its CPU is reported apart from the gateway's). */
export const browserThreads = 2;
const aSsrc = 0x0a000000;
const bSsrc = 0x0b000000;

// Runs one configuration against a freshly started gateway and browser rtpengine, and stops both afterwards
// (the harness's stop ends every process it started).
export async function runCalls(options: RunOptions): Promise<RunResult> {
  const { calls } = options;
  const endpoints = await openEndpoints(2 * calls);
  const ports: CallPorts[] = Array.from({ length: calls }, () => ({ portForA: 0, portForB: 0 }));
  const pbx = await startPbxUas("127.0.0.2", {
    answer: (_callId, offer, uri) => {
      const i = Number(/^sip:bench(\d+)@/.exec(uri)?.[1] ?? -1);
      if (!(i >= 0 && i < calls) || !/m=audio \d+ RTP\/AVP( \d+)* 0\b/.test(offer)) return undefined;
      ports[i]!.portForB = mediaPort(offer);
      return plainSdp(endpoints[2 * i + 1]!.port, "PCMU", bSsrc + i);
    },
    ended: () => {},
  });
  const hangups: (() => Promise<void>)[] = [];
  let gateway: GatewayUnderTest | undefined;
  let browsers: Browsers | undefined;
  try {
    gateway = await startGateway(options.gateway, {
      workDir: options.workDir,
      pbxPort: pbx.port,
      calls,
      hostAddress: options.hostAddress,
      rtpengine: options.rtpengine,
    });
    browsers = await startBrowsers(options.workDir, browserPorts, browserThreads, options.hostAddress);
    const cpuBefore = gateway.cpuMs();
    const setups = await setUpCalls(options, browsers, endpoints, ports, gateway.call, hangups);
    const setupCpuMs = gateway.cpuMs() - cpuBefore;
    const established = setups
      .filter((s) => s.ms !== undefined)
      .map((s) => s.ms!)
      .sort((a, b) => a - b);
    const failures = setups.filter((s) => s.error);
    const setupSpanMs = Math.max(...setups.map((s) => s.doneAt ?? 0)) - Math.min(...setups.map((s) => s.startedAt));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the probes drain
    for (const e of endpoints) e.socket.removeAllListeners("message");

    const live = ports.map((p, i) => ({ p, i })).filter(({ i }) => setups[i]!.ms !== undefined);
    const liveEndpoints = live.flatMap(({ i }) => [endpoints[2 * i]!, endpoints[2 * i + 1]!]);
    const streams = {
      a: buildStream({
        sends: options.codec,
        peerReceives: "PCMU",
        ssrcOf: (n) => aSsrc + live[n]!.i,
        opusFrames: options.opusFrames,
        sequenceOffset: probeLimit,
      }),
      b: buildStream({ sends: "PCMU", peerReceives: options.codec, ssrcOf: (n) => bSsrc + live[n]!.i }),
    };
    const cpu = { gatewayMs: 0, browsersMs: 0, ownMs: 0 };
    const browserPid = browsers.engine.process.pid;
    const gatewayCpuMs = gateway.cpuMs;
    const sample = () => ({ gateway: gatewayCpuMs(), browsers: processCpuMs(browserPid), own: processCpuMs("self") });
    let start = sample();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const media = await pumpMedia(
      live.map(({ p }) => p),
      liveEndpoints,
      {
        seconds: options.seconds,
        signal: options.signal,
        streams,
        onStart: () => {
          start = sample();
          loop.enable();
        },
        onDrained: () => {
          loop.disable();
          const end = sample();
          Object.assign(cpu, { gatewayMs: end.gateway - start.gateway, browsersMs: end.browsers - start.browsers, ownMs: end.own - start.own });
        },
      },
    );
    const ownPorts = new Set(endpoints.map((e) => e.port));
    const load = loadavg();
    const at = (q: number) => established[Math.min(established.length - 1, Math.floor(q * established.length))] ?? NaN;
    return {
      options: { gateway: options.gateway, codec: options.codec, calls, rate: options.rate, seconds: options.seconds },
      setup: {
        established: established.length,
        failed: calls - established.length,
        failedByGenerator: failures.filter((f) => f.error!.startsWith(browserFailure)).length,
        ...(failures[0] ? { firstError: failures[0].error } : {}),
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        achievedRate: (1000 * established.length) / Math.max(1, setupSpanMs),
        gatewayCpuMsPerCall: setupCpuMs / calls,
      },
      media: { ...media, generatorDrops: loopbackUdpDrops((port) => ownPorts.has(port)) },
      cpu,
      gatewayProcesses: gateway.describe,
      pbxRequests: { ...pbx.counts },
      eventLoopMaxMs: loop.max / 1e6,
      load,
    };
  } finally {
    await hangUpAll(hangups);
    await browsers?.stop();
    await gateway?.stop();
    await pbx.close();
    await closeEndpoints(endpoints);
  }
}

interface Setup {
  startedAt: number;
  doneAt?: number;
  ms?: number;
  error?: string;
}

// Starts call i at start + i / rate (not waiting for earlier calls), and resolves when every call has media or failed.
function setUpCalls(
  options: RunOptions,
  browsers: Browsers,
  endpoints: MediaEndpoint[],
  ports: CallPorts[],
  call: (i: number, offer: string) => Promise<{ answer: string; hangup(): Promise<void> }>,
  hangups: (() => Promise<void>)[],
): Promise<Setup[]> {
  const firstPacket = buildStream({ sends: options.codec, peerReceives: "PCMU", ssrcOf: (i) => aSsrc + i, opusFrames: options.opusFrames });
  const start = performance.now() + 20;
  return Promise.all(
    Array.from({ length: options.calls }, async (_, i): Promise<Setup> => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (1000 * i) / options.rate - performance.now())));
      const setup: Setup = { startedAt: performance.now() };
      if (options.signal.aborted) return { ...setup, error: "interrupted" };
      const x = endpoints[2 * i]!;
      const y = endpoints[2 * i + 1]!;
      try {
        const offer = await browsers.offer(callIdOf(i), x.port, options.codec, aSsrc + i);
        const answered = await call(i, offer);
        hangups.push(answered.hangup);
        ports[i]!.portForA = await browsers.answer(callIdOf(i), answered.answer);
        if (!ports[i]!.portForB) throw new Error("the PBX stand-in got no usable offer");
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => done(new Error(`no media at the PBX within ${setupTimeoutMs} ms of the call's start`)), setupTimeoutMs);
          let sent = 0;
          const probe = setInterval(() => x.socket.send(firstPacket.packet(i, sent++), ports[i]!.portForA, "127.0.0.1"), 20);
          const arrived = () => done();
          function done(error?: Error) {
            clearTimeout(timer);
            clearInterval(probe);
            y.socket.off("message", arrived);
            if (error) reject(error);
            else resolve();
          }
          y.socket.on("message", arrived);
        });
        setup.doneAt = performance.now();
        setup.ms = setup.doneAt - setup.startedAt;
      } catch (error) {
        setup.error = error instanceof Error ? error.message : String(error);
      }
      return setup;
    }),
  );
}

function callIdOf(i: number): string {
  return `bench-webrtc-${process.pid}-${i}`;
}

// Ends every answered call, 16 at a time; a failed BYE is reported once, not thrown (the gateway is stopped next anyway).
async function hangUpAll(hangups: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < hangups.length) await hangups[next++]!().catch(() => failed++);
    }),
  );
  if (failed) console.error(`  ${failed} of ${hangups.length} hangups failed`);
}
