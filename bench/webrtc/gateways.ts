// The two WebRTC-to-SIP gateways the WebRTC benchmark calls through, behind one interface: rtcgw (the compiled
// Kamailio + rtpengine, SIP over WebSocket from the browser) and Janus (its SIP plugin, Janus API over WebSocket).
import { buildE2eRecipe, e2eDomain } from "../../test/e2e/e2e-recipe.ts";
import { pbxAddress, startGatewayStack } from "../../test/harness/gateway-stack.ts";
import { processCpuMs, processTreeCpuMs } from "../gateway-media-cpu.ts";
import { rtpengineLogLevel } from "../../gateway/rtpengine/compile-rtpengine-config.ts";
import { callThroughJanus, startJanus } from "./janus.ts";
import { callOverWebSocket } from "./sip-ws-uac.ts";

/** Which gateway a run measures. */
export type GatewayName = "rtcgw" | "janus";

/** A running gateway under test. */
export interface GatewayUnderTest {
  name: GatewayName;
  /** CPU milliseconds its processes have used so far (all threads and worker processes). */
  cpuMs(): number;
  /** What its processes are, for the report. */
  describe: string;
  /** Places call `i` (Request-URI user `bench<i>`) with the browser's offer; resolves once answered. */
  call(i: number, offer: string): Promise<{ answer: string; hangup(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Where the gateway finds the PBX stand-in, and how many calls it must hold. */
export interface GatewayOptions {
  workDir: string;
  pbxPort: number;
  calls: number;
  /** The machine's own address (Janus gathers ICE candidates there, not on loopback). */
  hostAddress: string;
  /** rtcgw's rtpengine program (a path: test/harness/image-tools.ts makes the image's); this machine's unless given. */
  rtpengine?: string;
}

// Starts `name` toward the PBX stand-in on 127.0.0.2.
export function startGateway(name: GatewayName, options: GatewayOptions): Promise<GatewayUnderTest> {
  return name === "rtcgw" ? startRtcgw(options) : startJanusGateway(options);
}

// The compiled gateway through the test harness: the default recipe for loopback (codec policy Opus/PCMU/PCMA to
// PCMU/PCMA, WS listener), the appliance's 4 SIP workers and rtpengine's default threads, 512 MB shared memory,
// a flood limit one load source does not trip, its upstream pointed at the PBX stand-in.
async function startRtcgw(options: GatewayOptions): Promise<GatewayUnderTest> {
  const recipe = buildE2eRecipe((r) => {
    r.gateway.security.flood = { requests: 100000, window: "1s", ban: "1s" };
    r.gateway.capacity = { parallelCalls: Math.max(200, options.calls) };
    r.gateway.listen.rtp = `10000-${10000 + Math.max(4 * options.calls, 1000)}`;
  });
  const stack = await startGatewayStack(recipe, {
    rtpPortCount: 4 * options.calls + 200,
    logLevel: 0,
    rtpengineLogLevel,
    sharedMemoryMb: 512,
    rtpengineBinary: options.rtpengine,
    gatewayDefines: { WORKERS: 4, UPSTREAM_0_PORT: options.pbxPort },
  });
  const url = `ws://127.0.0.1:${stack.gatewayPorts.ws}`;
  return {
    name: "rtcgw",
    describe: `Kamailio (pid ${stack.gateway.pid} and its workers) + rtpengine (pid ${stack.rtpengine.process.pid})`,
    cpuMs: () => processTreeCpuMs(stack.gateway.pid) + processCpuMs(stack.rtpengine.process.pid),
    call: (i, offer) => callOverWebSocket(url, `sip:bench${i}@${e2eDomain}`, offer),
    stop: () => stack.stop(),
  };
}

// Janus with the SIP plugin only; each browser has its own WebSocket and session, a guest SIP identity.
async function startJanusGateway(options: GatewayOptions): Promise<GatewayUnderTest> {
  const janus = await startJanus(options.workDir, { ice: "48000-49999", sip: "50000-53999" }, options.hostAddress);
  return {
    name: "janus",
    describe: `Janus 1.1.2 (pid ${janus.process.pid}, all threads)`,
    cpuMs: () => processCpuMs(janus.process.pid),
    call: (i, offer) => callThroughJanus(janus.url, `sip:bench${i}@${pbxAddress}:${options.pbxPort}`, offer),
    stop: () => janus.process.stop(),
  };
}
