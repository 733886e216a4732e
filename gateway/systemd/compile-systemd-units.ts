import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";
import { rtpengineStartScriptPath } from "../rtpengine/compile-rtpengine-config.ts";
import { kamailioMemoryManagerArgs } from "../kamailio/memory-managers.ts";
import { runtimeEnvPath } from "./runtime-env.ts";
import { daemonSandbox } from "./sandbox.ts";

/** The first-boot oneshot (written by the appliance agent) that every gateway service starts after. */
export const firstBootUnit = "rtcgw-firstboot.service";

/** What the kamailio drop-in template needs. */
export interface KamailioUnitContext {
  firstBootUnit: string;
  /** Kamailio's own listeners below 1024 (WSS/HTTPS on 443 belongs to the agent): each needs CAP_NET_BIND_SERVICE. */
  privilegedPorts: number[];
  /** Command-line options added to Debian's ExecStart (memory managers). */
  extraArgs: string;
  sandbox: readonly string[];
}

/** What the rtpengine drop-in template needs. */
export interface RtpengineUnitContext {
  firstBootUnit: string;
  runtimeEnvPath: string;
  startScript: string;
  sandbox: readonly string[];
}

// The kamailio drop-in's context (pure): the bind capability only when one of its ports needs it.
export function buildKamailioUnitContext(recipe: Recipe): KamailioUnitContext {
  const { sip, tls, ws } = recipe.gateway.listen;
  const lowest = [sip.ports.from, ...(tls ? [tls.port] : []), ...(ws ? [ws.port] : [])];
  return {
    firstBootUnit,
    privilegedPorts: [...new Set(lowest.filter((port) => port < 1024))].sort((a, b) => a - b),
    extraArgs: kamailioMemoryManagerArgs.join(" "),
    sandbox: daemonSandbox,
  };
}

// The rtpengine drop-in's context (pure): runtime.env feeds the start script.
export function buildRtpengineUnitContext(): RtpengineUnitContext {
  return { firstBootUnit, runtimeEnvPath, startScript: rtpengineStartScriptPath, sandbox: daemonSandbox };
}

// The units the bundle enables (Debian's own units; the drop-ins below adjust them).
export function listGatewayUnits(): string[] {
  return ["nftables.service", "rtpengine-daemon.service", "kamailio.service", "ssh.service"];
}

// Drop-ins for Debian's kamailio, rtpengine and ssh units: ordering after first boot, runtime.env, confinement.
export function compileSystemdUnits(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const dropIn = (unit: string, template: string, context: object): GeneratedFile => ({
    path: `etc/systemd/system/${unit}.d/50-rtcgw.conf`,
    content: withGeneratedHeader(renderTemplate(`gateway/systemd/${template}`, context), from, "#"),
    mode: 0o644,
  });
  return [
    dropIn("kamailio.service", "kamailio.conf.hbs", buildKamailioUnitContext(recipe)),
    dropIn("rtpengine-daemon.service", "rtpengine-daemon.conf.hbs", buildRtpengineUnitContext()),
    dropIn("ssh.service", "ssh.conf.hbs", { firstBootUnit }),
  ];
}
