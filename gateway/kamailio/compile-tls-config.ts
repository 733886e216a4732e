import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../generated-file.ts";
import { renderTemplate } from "../render-template.ts";
import { runtimePaths } from "../agent/contract.ts";

/** Kamailio's TLS profiles file in the image. */
export const tlsConfigPath = "etc/kamailio/tls.cfg";
/** Debian's CA directory (package ca-certificates, hashed names): what a TLS upstream's certificate is verified against by default. */
export const systemCaDirectory = "/etc/ssl/certs";

/** The TLS profile of one upstream, picked by `server_id` before the gateway relays to it. */
export interface TlsClientProfile {
  name: string;
  serverId: string;
  /** The upstream's host (Kamailio requires one per profile; the relay sends it as SNI only when it is a name). */
  serverName: string;
  verify: boolean;
  /** `ca_list` (a pinned CA file) or, when undefined, `ca_path` (the image's CA directory). */
  caList: string | undefined;
}

/** What tls.cfg.hbs needs. */
export interface TlsConfigContext {
  /** The appliance's certificate pair (first boot writes it). */
  certificate: string;
  privateKey: string;
  systemCaDirectory: string;
  clients: TlsClientProfile[];
}

// Where a pinned CA of upstream `index` is installed.
export function upstreamCaPath(index: number): string {
  return `etc/kamailio/tls/upstream-${index}-ca.pem`;
}

// The profile id an upstream's relays select (`$xavp(tls=>server_id)`), the same as its define prefix.
export function upstreamServerId(index: number): string {
  return `UPSTREAM_${index}`;
}

// The TLS profiles for a recipe (pure): one per TLS upstream, verifying against its pinned CA or the image's CAs.
export function buildTlsConfigContext(recipe: Recipe): TlsConfigContext {
  const clients = recipe.gateway.upstreams.flatMap((upstream, index): TlsClientProfile[] => {
    if (!upstream.tls) return [];
    const pinned = upstream.tls.verify && upstream.tls.ca !== undefined;
    return [
      {
        name: upstream.name,
        serverId: upstreamServerId(index),
        serverName: upstream.host,
        verify: upstream.tls.verify,
        caList: pinned ? `/${upstreamCaPath(index)}` : undefined,
      },
    ];
  });
  return { certificate: `/${runtimePaths.tlsCertificate}`, privateKey: `/${runtimePaths.tlsKey}`, systemCaDirectory, clients };
}

// etc/kamailio/tls.cfg and each pinned CA, when the recipe has a TLS listener (which every TLS upstream needs).
export function compileTlsConfig(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  if (!recipe.gateway.listen.tls) return [];
  const config = renderTemplate("gateway/kamailio/tls.cfg.hbs", buildTlsConfigContext(recipe));
  const cas = recipe.gateway.upstreams.flatMap((upstream, index) =>
    upstream.tls?.verify && upstream.tls.ca
      ? [{ path: upstreamCaPath(index), content: upstream.tls.ca.endsWith("\n") ? upstream.tls.ca : `${upstream.tls.ca}\n`, mode: 0o644 }]
      : [],
  );
  return [{ path: tlsConfigPath, content: withGeneratedHeader(config, from, "#"), mode: 0o644 }, ...cas];
}
