import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";
import { buildKamailioConfigContext } from "./kamailio-config-context.ts";

// Renders etc/kamailio/kamailio.cfg: the SIP side of the gateway (listeners, register-through, dial plan,
// rtpengine anchoring, limits and security), every address/port/limit overridable with `kamailio -A`.
export function compileKamailioConfig(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const content = renderTemplate("gateway/kamailio/kamailio.cfg.hbs", buildKamailioConfigContext(recipe));
  return [{ path: "etc/kamailio/kamailio.cfg", content: withGeneratedHeader(content, from, "#") }];
}
