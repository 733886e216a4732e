import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseRecipe } from "../../dsl/parse.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import defaultRecipe from "../../recipes/gateway.ts";
import { compileKamailioConfig } from "../../gateway/kamailio/compile-kamailio-config.ts";
import { runtimePaths } from "../../gateway/agent/contract.ts";
import { compileRtpengineConfig } from "../../gateway/rtpengine/compile-rtpengine-config.ts";
import { compileTlsConfig, tlsConfigPath } from "../../gateway/kamailio/compile-tls-config.ts";
import { findFreePorts } from "./free-ports.ts";
import type { KamailioDefines } from "./kamailio.ts";
import type { TlsPair } from "./tls-certificate.ts";

/** The default recipe as plain data, to copy and change in tests. */
export type RecipeInput = typeof defaultRecipe;

// Validates a variant of the default recipe (`change` edits a deep copy) and returns the resolved recipe.
export function buildTestRecipe(change: (recipe: any) => void = () => {}): Recipe {
  const copy = structuredClone(defaultRecipe) as any;
  change(copy);
  const parsed = parseRecipe(copy);
  if (!parsed.ok) throw new Error(`test recipe is invalid:\n${parsed.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`);
  return parsed.recipe;
}

// Compiles the recipe's kamailio.cfg into `dir` and returns its path. Its `import_file` of the appliance's
// runtime file is pointed at `dir/kamailio-runtime.cfg` (absent unless the test writes it), never at /etc.
export function writeKamailioConfig(recipe: Recipe, dir: string): string {
  const [file] = compileKamailioConfig(recipe, { recipeFile: "test-recipe.ts", recipeName: recipe.name });
  if (!file) throw new Error("compileKamailioConfig returned no file");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "kamailio.cfg");
  writeFileSync(path, pointRuntimeFile(file.content, runtimeFilePath(dir)));
  return path;
}

// Where writeKamailioConfig's config looks for the runtime defines file.
export function runtimeFilePath(dir: string): string {
  return join(dir, "kamailio-runtime.cfg");
}

// Replaces the appliance's runtime file path in a compiled kamailio.cfg (which must import it exactly once).
export function pointRuntimeFile(config: string, path: string): string {
  const line = `import_file "/${runtimePaths.kamailioDefines}"`;
  if (config.split(line).length !== 2) throw new Error(`kamailio.cfg does not contain \`${line}\` exactly once`);
  return config.replace(line, `import_file "${path}"`);
}

// Compiles the recipe's rtpengine.conf into `dir` and returns its path.
export function writeRtpengineConfig(recipe: Recipe, dir: string): string {
  const file = compileRtpengineConfig(recipe, { recipeFile: "test-recipe.ts", recipeName: recipe.name }).find((f) => f.path.endsWith("rtpengine.conf"));
  if (!file) throw new Error("compileRtpengineConfig returned no rtpengine.conf");
  const path = join(dir, "rtpengine.conf");
  writeFileSync(path, file.content);
  return path;
}

/** The loopback sockets a gateway was started on. */
export interface GatewayPorts {
  sip: number[];
  tls?: number;
  /** The plain WS + HTTP listener the agent proxies WSS to (127.0.0.1:8090 on the appliance). */
  loopback: number;
  ws?: number;
}

// Picks free loopback ports for every listener of the recipe and returns them with the `-A` overrides
// that bind the compiled config to 127.0.0.1 (plus any extra overrides, e.g. the PBX address).
export async function loopbackGatewayDefines(
  recipe: Recipe,
  tls: TlsPair,
  extra: KamailioDefines = {},
): Promise<{ ports: GatewayPorts; defines: KamailioDefines }> {
  const { listen } = recipe.gateway;
  const sipCount = listen.sip.ports.to - listen.sip.ports.from + 1;
  const free = await findFreePorts(sipCount + 3);
  const ports: GatewayPorts = { sip: free.slice(0, sipCount), loopback: free[sipCount]! };
  const defines: KamailioDefines = { LISTEN_ADDR: "127.0.0.1", WORKERS: 1, WS_LOOPBACK_PORT: ports.loopback };
  if (listen.tls) defines.TLS_CONFIG = `"${writeTlsConfig(recipe, dirname(tls.cert), tls)}"`;
  ports.sip.forEach((port, i) => (defines[`SIP_PORT_${i}`] = port));
  if (listen.tls) defines.TLS_PORT = ports.tls = free[sipCount + 1]!;
  if (listen.ws) defines.WS_PORT = ports.ws = free[sipCount + 2]!;
  return { ports, defines: { ...defines, ...extra } };
}

// Writes the recipe's TLS profiles (tls.cfg and pinned CAs) into `dir`, their image paths pointed at the test's
// certificate pair and at copies in `dir`; returns the tls.cfg path.
export function writeTlsConfig(recipe: Recipe, dir: string, tls: TlsPair): string {
  const files = compileTlsConfig(recipe, { recipeFile: "test-recipe.ts", recipeName: recipe.name });
  let config = files
    .find((f) => f.path === tlsConfigPath)!
    .content.replace(`certificate = /${runtimePaths.tlsCertificate}`, `certificate = ${tls.cert}`)
    .replace(`private_key = /${runtimePaths.tlsKey}`, `private_key = ${tls.key}`);
  for (const file of files.filter((f) => f.path !== tlsConfigPath)) {
    const local = join(dir, file.path.replaceAll("/", "_"));
    writeFileSync(local, file.content);
    config = config.replaceAll(`/${file.path}`, local);
  }
  const path = join(dir, "tls.cfg");
  writeFileSync(path, config);
  return path;
}
