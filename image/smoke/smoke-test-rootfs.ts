// Smoke test as a gate: starts the image's Kamailio and rtpengine from the built rootfs (on a
// throwaway overlay, in private namespaces) and checks SIP OPTIONS, a WebSocket REGISTER relayed to a
// PBX stand-in, rtpengine's ng ping and the nftables ruleset. The sealed tree is never written.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Recipe } from "../../dsl/resolve.ts";
import type { BuildLog } from "../builders/local/build-log.ts";
import type { BindMount } from "../builders/local/namespace-script.ts";
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

// Runs the smoke test of the rootfs at `rootDir`, using `workDir` for the overlay and the throwaway TLS pair.
export async function smokeTestRootfs(options: { rootDir: string; workDir: string; recipe: Recipe; log: BuildLog; signal?: AbortSignal }): Promise<SmokeResult> {
  const { rootDir, workDir, recipe, log } = options;
  const certDir = join(workDir, "smoke-tls");
  const overlayDir = join(workDir, "smoke-overlay");
  mkdirSync(certDir, { recursive: true });
  try {
    const config = readImageServiceConfig(rootDir);
    const binds = await makeThrowawayTls(certDir, config.tls, log);
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
      { rootDir, overlayDir, privateNetwork: true, chroot: false, binds, command: [process.execPath, "--import", target.tsxImport, inside, JSON.stringify(target)] },
      { log, ...(options.signal ? { signal: options.signal } : {}), timeoutMs: 120_000 },
    );
    const line = run.stdout.split("\n").find((l) => l.startsWith("RTCGW-SMOKE "));
    const checks: SmokeCheck[] = line ? (JSON.parse(line.slice("RTCGW-SMOKE ".length)) as SmokeCheck[]) : [{ name: "smoke test ran", ok: false, detail: `exit ${run.exitCode}: ${run.stderr.slice(-500)}` }];
    return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
  } finally {
    rmSync(overlayDir, { recursive: true, force: true });
    rmSync(certDir, { recursive: true, force: true });
  }
}

// A self-signed pair in `certDir` (outside the image), bind-mounted where Kamailio's TLS config expects its files.
async function makeThrowawayTls(certDir: string, tls: { certificate?: string; privateKey?: string }, log: BuildLog): Promise<BindMount[]> {
  if (!tls.certificate || !tls.privateKey) return [];
  const key = join(certDir, "smoke.key");
  const cert = join(certDir, "smoke.pem");
  await execa("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=rtcgw-smoke", "-keyout", key, "-out", cert], { stdout: { file: log.path, append: true }, stderr: { file: log.path, append: true } });
  return [
    { from: cert, to: tls.certificate, readOnly: true },
    { from: key, to: tls.privateKey, readOnly: true },
  ];
}
