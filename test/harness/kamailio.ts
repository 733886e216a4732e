import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "./require-binary.ts";
import { buildSipRequest, openSipUdpClient, statusOf } from "./sip-udp.ts";
import { startProcess, tail, type RunningProcess } from "./start-process.ts";
import { waitUntil } from "./wait-until.ts";
import { kamailioMemoryManagerArgs } from "../../gateway/kamailio/memory-managers.ts";

/** `-A NAME=value` overrides; strings must carry their double quotes. */
export type KamailioDefines = Record<string, string | number>;

// `RTCGW_KAMAILIO`: the Kamailio to run (test/run.ts sets it to the image's, test/harness/image-tools.ts), else this machine's.
function kamailioBinary(): string {
  return process.env.RTCGW_KAMAILIO ?? requireBinary("kamailio", "kamailio");
}

function defineArgs(defines: KamailioDefines): string[] {
  return Object.entries(defines).flatMap(([name, value]) => ["-A", `${name}=${value}`]);
}

// Runs `kamailio -c -f`: the exit code and output of the config check.
export function checkKamailioConfig(configPath: string, defines: KamailioDefines = {}): { status: number | null; output: string } {
  const result = spawnSync(kamailioBinary(), ["-c", "-f", configPath, ...defineArgs(defines)], { encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** How to start Kamailio: `-A` overrides, shared memory, and the UDP socket that proves it is ready. */
export interface KamailioStart {
  defines?: KamailioDefines;
  /**
   * A UDP SIP socket of the config: Kamailio is ready once a request sent there gets any reply. Or, for a config
   * without UDP listeners, its HTTP (xhttp) URL: ready once a worker answers a GET with any status.
   */
  ready: { address: string; port: number } | { http: string };
  /** Shared memory in MB (64 by default). */
  sharedMemoryMb?: number;
}

// Starts Kamailio in the foreground with a private run directory and waits until a worker answers an
// OPTIONS on `ready` (any status: a 483 or 404 proves a worker runs the config); fails with the log's
// tail when it exits first or does not answer within 20 s.
export async function startKamailio(name: string, configPath: string, workDir: string, start: KamailioStart): Promise<RunningProcess> {
  const rundir = join(workDir, `${name}-run`);
  mkdirSync(rundir, { recursive: true });
  const logPath = join(workDir, `${name}.log`);
  const args = [
    "-DD",
    "-E",
    "-Y",
    rundir,
    "-f",
    configPath,
    "-m",
    String(start.sharedMemoryMb ?? 64),
    "-M",
    "8",
    ...kamailioMemoryManagerArgs,
    ...defineArgs(start.defines ?? {}),
  ];
  const proc = startProcess(name, kamailioBinary(), args, logPath);
  if ("http" in start.ready) {
    const url = start.ready.http;
    try {
      await waitUntil(async () => (await fetch(url, { signal: AbortSignal.timeout(500) }).catch(() => undefined))?.status, {
        what: `${name} (kamailio) answering HTTP on ${url}`,
        timeoutMs: 20_000,
        failWhen: () => (proc.isAlive() ? undefined : "it exited during start-up"),
      });
    } catch (error) {
      await proc.stop();
      throw new Error(`${(error as Error).message}\n${tail(logPath)}`);
    }
    return proc;
  }
  const { address, port } = start.ready;
  const probe = await openSipUdpClient(address, address, port);
  try {
    const options = () => buildSipRequest({ method: "OPTIONS", uri: `sip:${address}:${port}`, from: probe, userAgent: "rtcgw-test-harness" });
    await waitUntil(async () => statusOf(await probe.request(options(), 200)), {
      what: `${name} (kamailio) answering OPTIONS on ${address}:${port}`,
      timeoutMs: 20_000,
      failWhen: () => (proc.isAlive() ? undefined : "it exited during start-up"),
    });
  } catch (error) {
    await proc.stop();
    throw new Error(`${(error as Error).message}\n${tail(logPath)}`);
  } finally {
    await probe.close();
  }
  return proc;
}
