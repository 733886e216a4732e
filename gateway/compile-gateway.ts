import type { Recipe } from "../dsl/resolve.ts";
import type { GeneratedFile, GeneratedFrom } from "./generated-file.ts";
import { compileKamailioConfig } from "./kamailio/compile-kamailio-config.ts";
import { compileRtpengineConfig } from "./rtpengine/compile-rtpengine-config.ts";
import { compileNftablesRuleset } from "./nftables/compile-nftables-ruleset.ts";
import { compileSystemdUnits } from "./systemd/compile-systemd-units.ts";

// Every configuration file the appliance runs with, at its path inside the image (no leading `/`).
export function compileGateway(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  return [
    ...compileKamailioConfig(recipe, from),
    ...compileRtpengineConfig(recipe, from),
    ...compileNftablesRuleset(recipe, from),
    ...compileSystemdUnits(recipe, from),
  ];
}
