// Smoke test as a gate: runs the agent's first boot and starts the image's Kamailio, rtpengine and
// the agent's HTTPS service from the built rootfs (on a throwaway overlay, in private namespaces), and
// checks SIP OPTIONS, WebSocket REGISTERs relayed to a PBX stand-in (directly and through the agent's
// WSS port), rtpengine's ng ping, HTTPS `/` (401, then 200 with the instance id) and `/tryit/` (200),
// and the nftables ruleset. The sealed tree is never written: first-boot keys stay in the overlay.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Recipe } from "../../dsl/resolve.ts";
import type { BuildLog } from "../builders/local/build-log.ts";
import { kamailioLoopback } from "../../gateway/agent/contract.ts";
import { runInNamespaces } from "../builders/local/run-in-namespaces.ts";
import type { SmokeCheck } from "./probe-gateway.ts";
import { readImageServiceConfig } from "./read-image-config.ts";
import type { SmokeTarget } from "./smoke-in-namespace.ts";

/** The smoke test's verdict: ok only when every check passed. */
export interface SmokeResult {
  ok: boolean;
  checks: SmokeCheck[];
}

// Runs the smoke test of the rootfs at `rootDir`, using `workDir` for the overlay.
export async function smokeTestRootfs(options: {
  rootDir: string;
  workDir: string;
  recipe: Recipe;
  log: BuildLog;
  signal?: AbortSignal;
}): Promise<SmokeResult> {
  const { rootDir, workDir, recipe, log } = options;
  const overlayDir = join(workDir, "smoke-overlay");
  try {
    const config = readImageServiceConfig(rootDir);
    const upstream = recipe.gateway.upstreams[0]!;
    const target: SmokeTarget = {
      sipPort: recipe.gateway.listen.sip.ports.from,
      webSocketUrl: `ws://${kamailioLoopback.address}:${kamailioLoopback.port}/`,
      domain: recipe.gateway.domains[0] ?? upstream.host,
      pbxHost: upstream.host,
      pbxPort: upstream.port,
      ng: config.ng,
      tsxImport: import.meta.resolve("tsx"),
    };
    const inside = new URL("./smoke-in-namespace.ts", import.meta.url).pathname;
    const run = await runInNamespaces(
      { rootDir, overlayDir, privateNetwork: true, chroot: false, command: [process.execPath, "--import", target.tsxImport, inside, JSON.stringify(target)] },
      { log, ...(options.signal ? { signal: options.signal } : {}), timeoutMs: 120_000 },
    );
    const line = run.stdout.split("\n").find((l) => l.startsWith("RTCGW-SMOKE "));
    const checks: SmokeCheck[] = line
      ? (JSON.parse(line.slice("RTCGW-SMOKE ".length)) as SmokeCheck[])
      : [{ name: "smoke test ran", ok: false, detail: `exit ${run.exitCode}: ${run.stderr.slice(-500)}` }];
    return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
  } finally {
    rmSync(overlayDir, { recursive: true, force: true });
  }
}
