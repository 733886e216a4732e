import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";
import { runtimeEnvPath, runtimeEnvVariables } from "../systemd/runtime-env.ts";
import { kamailioLoopback } from "../agent/contract.ts";

/** Where the start script lives in the image; the rtpengine unit's ExecStart runs it. */
export const rtpengineStartScriptPath = "usr/libexec/rtcgw/start-rtpengine";

/** rtpengine keeps a call (and its 4 ports) this long after the delete: late packets, a retransmitted BYE. */
export const rtpengineDeleteDelaySeconds = 30;

/**
 * rtpengine's log level on the appliance: 5 (notice: a line per new call, warnings, errors). Level 6 (info) adds
 * about 20 lines per call (each ng command and its reply, the final packet stats); at 600 calls per second that is
 * 12000 lines/s, more than journald keeps (10000 per service per 30 s, then "Suppressed"), and the writes cost
 * rtpengine's one control thread enough that the CPS benchmark's anchored 600 step failed with it and passed without
 * (docs/PERFORMANCE.md).
 */
export const rtpengineLogLevel = 5;

/** What rtpengine.conf.hbs needs. */
export interface RtpengineContext {
  interface: string;
  controlPort: number;
  portMin: number;
  portMax: number;
  deleteDelaySeconds: number;
  timeoutSeconds: number;
  silentTimeoutSeconds: number;
  /** Where rtpengine reports a call that timed out without media (Kamailio's loopback listener). */
  teardownUrl: string;
  logLevel: number;
}

// Kamailio's endpoint for rtpengine's teardown callback on a listener at `port` (127.0.0.1:8090 on the appliance).
export function formatTeardownUrl(port: number = kamailioLoopback.port): string {
  return `http://${kamailioLoopback.address}:${port}${kamailioLoopback.rpcPath}2`;
}

/** What start-rtpengine.sh.hbs needs. */
export interface RtpengineStartContext {
  runtimeEnvPath: string;
  localVariable: string;
  advertisedVariable: string;
  localExpansion: string;
  advertisedExpansion: string;
}

// rtpengine's interface value: `any` stands for every local address (rtpengine rejects `0.0.0.0`),
// followed by `!ADVERTISED` when the recipe names a public address.
export function formatRtpengineInterface(address: string, advertise: string | undefined): string {
  const local = address === "0.0.0.0" || address === "::" ? "any" : address;
  return advertise ? `${local}!${advertise}` : local;
}

// The config template's context for a recipe (pure).
export function buildRtpengineContext(recipe: Recipe): RtpengineContext {
  const { listen } = recipe.gateway;
  return {
    interface: formatRtpengineInterface(listen.address, listen.advertise),
    controlPort: listen.rtpengineControl,
    portMin: listen.rtp.from,
    portMax: listen.rtp.to,
    deleteDelaySeconds: rtpengineDeleteDelaySeconds,
    timeoutSeconds: 60,
    silentTimeoutSeconds: 3600,
    teardownUrl: formatTeardownUrl(),
    logLevel: rtpengineLogLevel,
  };
}

// The start script's context: the runtime.env variables it reads (pure, recipe-independent).
export function buildRtpengineStartContext(): RtpengineStartContext {
  const { localAddress, advertisedAddress } = runtimeEnvVariables;
  return {
    runtimeEnvPath,
    localVariable: localAddress,
    advertisedVariable: advertisedAddress,
    localExpansion: `\${${localAddress}:-}`,
    advertisedExpansion: `\${${advertisedAddress}:-}`,
  };
}

// etc/rtpengine/rtpengine.conf (userspace media relay on the recipe's RTP range, ng control on loopback)
// and the start script that applies first boot's addresses.
export function compileRtpengineConfig(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const config = renderTemplate("gateway/rtpengine/rtpengine.conf.hbs", buildRtpengineContext(recipe));
  const start = renderTemplate("gateway/rtpengine/start-rtpengine.sh.hbs", buildRtpengineStartContext());
  return [
    { path: "etc/rtpengine/rtpengine.conf", content: withGeneratedHeader(config, from, "#"), mode: 0o644 },
    { path: rtpengineStartScriptPath, content: withGeneratedHeader(start, from, "#"), mode: 0o755 },
  ];
}
