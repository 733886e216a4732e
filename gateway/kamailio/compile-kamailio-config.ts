import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";
import { buildKamailioConfigContext } from "./kamailio-config-context.ts";
import { compileTlsConfig } from "./compile-tls-config.ts";

// Renders etc/kamailio/kamailio.cfg: the SIP side of the gateway (listeners, register-through, dial plan,
// rtpengine anchoring, limits and security), every address/port/limit overridable with `kamailio -A`; with a TLS
// listener, its TLS profiles (etc/kamailio/tls.cfg, pinned upstream CAs) follow it.
export function compileKamailioConfig(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const content = renderTemplate("gateway/kamailio/kamailio.cfg.hbs", buildKamailioConfigContext(recipe));
  return [{ path: "etc/kamailio/kamailio.cfg", content: withGeneratedHeader(content, from, "#") }, ...compileTlsConfig(recipe, from)];
}
