import { readFile } from "node:fs/promises";
import { cpus, totalmem, uptime } from "node:os";
import { join } from "node:path";
import type { AgentConfig } from "../agent-config.ts";
import { runtimePaths } from "../contract.ts";
import { listActiveCalls, listRegistrations } from "../control/query-kamailio.ts";
import { queryRtpengine } from "../control/query-rtpengine.ts";
import { readServiceStatus } from "../control/read-service-status.ts";
import { startCallMetrics } from "../metrics/publish-call-metrics.ts";
import { createAdminLoginCheck } from "./check-admin-login.ts";
import type { GatewayStatusSources } from "./collect-gateway-status.ts";
import { createLoginLimiter } from "./limit-login-attempts.ts";
import { loadStaticAssets } from "./load-static-assets.ts";
import { startGatewayHttps, type GatewayHttps } from "./start-gateway-https.ts";
import { sizeGatewayLimits } from "../../kamailio/size-gateway-limits.ts";

/** Paths and overrides for `agent.mjs serve`; the systemd unit passes credential paths. */
export interface AdminServiceOptions {
  root: string;
  config: AgentConfig;
  tlsCertPath: string;
  tlsKeyPath: string;
  passwordHashPath: string;
  assetsDirectory: string;
  listen?: { address: string; port: number };
  kamailioPort?: number;
  rtpenginePort?: number;
  cloudwatchEndpoint?: string;
  log?: (line: string) => void;
}

// Wires the real control interfaces (Kamailio JSONRPC, rtpengine ng, systemctl) to the HTTPS listener
// and starts CloudWatch metrics when the recipe enables them and the instance is on AWS.
export async function runAdminService(options: AdminServiceOptions): Promise<GatewayHttps> {
  const { config, root } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const kamailio = { address: config.kamailio.address, port: options.kamailioPort ?? config.kamailio.port };
  const rpc = { url: `http://${kamailio.address}:${kamailio.port}${config.kamailio.rpcPath}` };
  const rtpenginePort = options.rtpenginePort ?? config.rtpengine.controlPort;
  const sources: GatewayStatusSources = {
    services: () => readServiceStatus(),
    registrations: () => listRegistrations(rpc),
    calls: () => listActiveCalls(rpc),
    rtpengine: () => queryRtpengine(rtpenginePort),
    license: async () => JSON.parse(await readFile(join(root, runtimePaths.licenseState), "utf8")),
  };
  const [cert, key, assets] = await Promise.all([readFile(options.tlsCertPath), readFile(options.tlsKeyPath), loadStaticAssets(options.assetsDirectory)]);
  const https = await startGatewayHttps({
    config,
    tls: { cert, key },
    listen: options.listen ?? config.https,
    sources,
    checkLogin: createAdminLoginCheck({
      user: config.admin.user,
      readPasswordHash: () => readFile(options.passwordHashPath, "utf8"),
      limiter: createLoginLimiter(),
    }),
    assets,
    kamailio,
    webSockets: sizeWebSocketLimits(),
    bootedAt: new Date(Date.now() - uptime() * 1000),
    log,
  });
  log(
    `admin UI, /tryit/ and WSS on ${options.listen?.address ?? config.https.address}:${https.port}; WebSockets go to Kamailio at ${kamailio.address}:${kamailio.port}`,
  );

  const runtime = parseEnvFile(await readFile(join(root, runtimePaths.runtimeEnv), "utf8").catch(() => ""));
  if (config.metrics.cloudwatch && runtime.RTCGW_REGION) {
    const metrics = startCallMetrics({
      namespace: config.metrics.namespace,
      region: runtime.RTCGW_REGION,
      gateway: config.recipe.name,
      instanceId: runtime.RTCGW_INSTANCE_ID ?? "unknown",
      intervalMs: config.metrics.intervalSeconds * 1000,
      read: async () => ({ activeCalls: (await listActiveCalls(rpc)).length, registrations: (await listRegistrations(rpc)).length }),
      ...(options.cloudwatchEndpoint ? { endpoint: options.cloudwatchEndpoint } : {}),
      log,
    });
    https.server.on("close", () => metrics.stop());
    log(`CloudWatch metrics every ${config.metrics.intervalSeconds} s to namespace ${config.metrics.namespace} in ${runtime.RTCGW_REGION}`);
  }
  return https;
}

// `NAME=value` lines (the runtime.env the first boot wrote).
export function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

// The WebSocket limits for this instance: the same sizing first boot gave Kamailio's shared memory.
function sizeWebSocketLimits(): { perAddress: number; total: number } {
  const limits = sizeGatewayLimits({ memoryMiB: Math.floor(totalmem() / 2 ** 20), cores: cpus().length });
  return { perAddress: limits.webSocketPerAddress, total: limits.webSocketTotal };
}
