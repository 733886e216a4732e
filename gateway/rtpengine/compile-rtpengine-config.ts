import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";

/** What rtpengine.conf.hbs needs. */
export interface RtpengineContext {
  interface: string;
  controlPort: number;
  portMin: number;
  portMax: number;
  deleteDelaySeconds: number;
  timeoutSeconds: number;
  silentTimeoutSeconds: number;
  logLevel: number;
}

// rtpengine's interface value: `any` stands for every local address (rtpengine rejects `0.0.0.0`),
// followed by `!ADVERTISED` when the recipe names a public address.
export function formatRtpengineInterface(address: string, advertise: string | undefined): string {
  const local = address === "0.0.0.0" || address === "::" ? "any" : address;
  return advertise ? `${local}!${advertise}` : local;
}

// The template context for a recipe (pure).
export function buildRtpengineContext(recipe: Recipe): RtpengineContext {
  const { listen } = recipe.gateway;
  return {
    interface: formatRtpengineInterface(listen.address, listen.advertise),
    controlPort: listen.rtpengineControl,
    portMin: listen.rtp.from,
    portMax: listen.rtp.to,
    deleteDelaySeconds: 30,
    timeoutSeconds: 60,
    silentTimeoutSeconds: 3600,
    logLevel: 6,
  };
}

// etc/rtpengine/rtpengine.conf: userspace media relay on the recipe's RTP range, ng control on loopback.
export function compileRtpengineConfig(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const content = renderTemplate("gateway/rtpengine/rtpengine.conf.hbs", buildRtpengineContext(recipe));
  return [{ path: "etc/rtpengine/rtpengine.conf", content: withGeneratedHeader(content, from, "#"), mode: 0o644 }];
}
