import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import type { Recipe } from "../../dsl/resolve.ts";
import { findFreePorts } from "./free-ports.ts";
import { loopbackGatewayDefines, runtimeFilePath, writeKamailioConfig, writeRtpengineConfig, type GatewayPorts } from "./gateway-config.ts";
import { startKamailio, type KamailioDefines } from "./kamailio.ts";
import { requireBinary } from "./require-binary.ts";
import { startRtpengine, type RunningRtpengine } from "./rtpengine.ts";
import { stopAllProcesses, type RunningProcess } from "./start-process.ts";
import { createSelfSignedCertificate } from "./tls-certificate.ts";
import { formatTeardownUrl } from "../../gateway/rtpengine/compile-rtpengine-config.ts";

/** Loopback addresses: the gateway, the PBX side (PBX and its phones) and a stranger. */
export const gatewayAddress = "127.0.0.1";
export const pbxAddress = "127.0.0.2";
export const strangerAddress = "127.0.0.3";
export const pbxPassword = "secret";

/** A running gateway (Kamailio + rtpengine) with its PBX stand-in, all on loopback. */
export interface GatewayStack {
  workDir: string;
  recipe: Recipe;
  gateway: RunningProcess;
  gatewayPorts: GatewayPorts;
  rtpengine: RunningRtpengine;
  pbx: RunningProcess;
  pbxPort: number;
  /** Where the PBX sends calls for unregistered users (a sipp phone started by the test). */
  phonePort: number;
  /** Where the dial plan sends conference and music calls (a sipp stand-in started by the test). */
  mediaPort: number;
  /** Runs a Kamailio RPC command on the PBX (e.g. `ul.dump`) and returns its output. */
  pbxRpc(...args: string[]): string;
  stop(): Promise<void>;
}

/** Sizes of the stack: the rtpengine media port range, for capacity tests. */
export interface StackOptions {
  rtpPortCount?: number;
  /** Kamailio's `debug` level for the gateway; 2 (info) by default for readable test logs. */
  logLevel?: number;
  /** Kamailio shared memory in MB (64 by default; about 1000 CPS with dialogs needs several hundred). */
  sharedMemoryMb?: number;
  /** More `-A` overrides for the gateway (e.g. `WORKERS` for benchmarks). */
  gatewayDefines?: KamailioDefines;
  /** Content of the runtime defines file (what first boot writes to /etc/rtcgw/kamailio-runtime.cfg). */
  runtimeFile?: string;
  /** Bind the address the runtime file names (no `-A LISTEN_ADDR`), as on the appliance. */
  bindFromRuntimeFile?: boolean;
  /** rtpengine worker threads (1 unless given; `"default"`: none set, as on the appliance). See rtpengine.ts. */
  rtpengineThreads?: number | "default";
  /** rtpengine's `--log-level` (6 unless given; 7 logs ICE and DTLS steps). */
  rtpengineLogLevel?: number;
  /** rtpengine's media timeout in seconds (60 unless given): a call without media ends after it. */
  rtpTimeoutSeconds?: number;
  /** The rtpengine program (a path; this machine's unless given). See rtpengine.ts. */
  rtpengineBinary?: string;
}

// Starts rtpengine, the PBX stand-in and the gateway compiled from `recipe` (whose first upstream is
// pointed at the PBX stand-in), each on free loopback ports; `stop()` ends them by PID.
export async function startGatewayStack(recipe: Recipe, options: StackOptions = {}): Promise<GatewayStack> {
  const workDir = mkdtempSync(join(tmpdir(), "rtcgw-e2e-"));
  const started: { stop(): Promise<void> }[] = [];
  const stopStarted = async () => {
    for (const proc of started.reverse()) await proc.stop();
  };
  // RTCGW_KEEP_LOGS keeps the work dir (logs, configs) for a look after the run.
  const removeWorkDir = () => {
    if (!process.env.RTCGW_KEEP_LOGS) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const [ngPort, pbxPort, phonePort, mediaPort] = await findFreePorts(4);
    const tls = createSelfSignedCertificate(workDir);
    const { ports, defines } = await loopbackGatewayDefines(recipe, tls, {
      UPSTREAM_0_HOST: `"${pbxAddress}"`,
      UPSTREAM_0_PORT: pbxPort!,
      UPSTREAM_0_ALLOW: `"${pbxAddress}/32"`,
      RTPENGINE_SOCKET: `"udp:127.0.0.1:${ngPort}"`,
      MEDIA_PORT: mediaPort!,
      LOG_LEVEL: options.logLevel ?? 2,
      ...options.gatewayDefines,
    });
    if (options.bindFromRuntimeFile) delete defines.LISTEN_ADDR;

    const rtpengineConfig = writeRtpengineConfig(recipe, workDir);
    const rtpengine = await startRtpengine(workDir, {
      ngPort: ngPort!,
      ports: options.rtpPortCount ?? 400,
      configPath: rtpengineConfig,
      threads: options.rtpengineThreads,
      logLevel: options.rtpengineLogLevel,
      binary: options.rtpengineBinary,
      timeoutSeconds: options.rtpTimeoutSeconds,
      teardownUrl: formatTeardownUrl(ports.loopback),
    });
    started.push(rtpengine.process);

    const ctlSocket = join(workDir, "pbx.ctl");
    const pbx = await startKamailio("pbx", new URL("../e2e/fixtures/pbx-kamailio.cfg", import.meta.url).pathname, workDir, {
      defines: {
        PBX_ADDR: pbxAddress,
        PBX_PORT: pbxPort!,
        PHONE_URI: `"sip:${pbxAddress}:${phonePort}"`,
        PASSWORD: `"${pbxPassword}"`,
        CTL_SOCKET: `"unix:${ctlSocket}"`,
      },
      ready: { address: pbxAddress, port: pbxPort! },
    });
    started.push(pbx);

    const configPath = writeKamailioConfig(recipe, workDir);
    if (options.runtimeFile !== undefined) writeFileSync(runtimeFilePath(workDir), options.runtimeFile);
    const gateway = await startKamailio("gateway", configPath, workDir, {
      defines,
      ready: { address: gatewayAddress, port: ports.sip[0]! },
      sharedMemoryMb: options.sharedMemoryMb,
    });
    started.push(gateway);

    const kamcmd = requireBinary("kamcmd", "kamailio");
    return {
      workDir,
      recipe,
      gateway,
      gatewayPorts: ports,
      rtpengine,
      pbx,
      pbxPort: pbxPort!,
      phonePort: phonePort!,
      mediaPort: mediaPort!,
      pbxRpc: (...args) => spawnSync(kamcmd, ["-s", `unix:${ctlSocket}`, ...args], { encoding: "utf8" }).stdout,
      // Also ends every helper process the test started (sipp phones), by PID.
      stop: async () => {
        try {
          await stopAllProcesses();
          await stopStarted();
        } finally {
          removeWorkDir();
        }
      },
    };
  } catch (error) {
    // The start-up error already quotes the failing process's log.
    try {
      await stopStarted();
    } finally {
      removeWorkDir();
    }
    throw error;
  }
}
