import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Recipe } from "../../../dsl/resolve.ts";
import { generatedHeader, type GeneratedFile, type GeneratedFrom } from "../../generated-file.ts";
import { projectRoot } from "../../render-template.ts";
import { bundleNodeProgram } from "../../bundle-node-program.ts";
import { buildWithCache } from "../../build-with-cache.ts";
import { compileAgentConfig } from "../agent-config.ts";
import { installPaths } from "../contract.ts";
import { renderAdminUnit, renderFirstBootUnit } from "./render-agent-units.ts";

/** Options for tests and for vendors with their own license key. */
export interface BundleAgentOptions {
  /** The license public key baked into the image. @default gateway/agent/license/vendor-public-key.pem */
  licensePublicKeyPem?: string;
  /** For the generated-file headers. @default { recipeFile: "recipe", recipeName: recipe.name } */
  from?: GeneratedFrom;
}

const agentDirectory = join(projectRoot, "gateway/agent");
const tryitSources = ["index.html", "tryit.js", "style.css"];

// The agent as provisioning-bundle files (paths under `files/`): one ESM file for Debian 13's nodejs (v20),
// its config, the /tryit/ page with JsSIP built for browsers, and the two systemd units.
export async function bundleAgent(recipe: Recipe, options: BundleAgentOptions = {}): Promise<GeneratedFile[]> {
  const from = options.from ?? { recipeFile: "recipe", recipeName: recipe.name };
  const publicKey = options.licensePublicKeyPem ?? (await readFile(join(agentDirectory, "license/vendor-public-key.pem"), "utf8"));
  const config = compileAgentConfig(recipe, publicKey);
  const [agent, jssip, tryit] = await Promise.all([
    buildAgentScript(from),
    buildJsSipForBrowsers(),
    Promise.all(tryitSources.map((name) => readFile(join(agentDirectory, "tryit", name), "utf8"))),
  ]);
  const files = (path: string) => `files/${path}`;
  return [
    { path: files(installPaths.agent), content: agent, mode: 0o644 },
    { path: files(installPaths.config), content: `${JSON.stringify({ generatedBy: generatedHeader(from, "#").slice(2), ...config }, null, 2)}\n`, mode: 0o644 },
    ...tryitSources.map((name, index) => ({ path: files(`${installPaths.tryit}/${name}`), content: tryit[index]!, mode: 0o644 })),
    { path: files(`${installPaths.tryit}/jssip.min.js`), content: jssip, mode: 0o644 },
    {
      path: files(`${installPaths.tryit}/config.json`),
      content: `${JSON.stringify({ generatedBy: generatedHeader(from, "#").slice(2), domains: config.readable.domains })}\n`,
      mode: 0o644,
    },
    { path: files("etc/systemd/system/rtcgw-firstboot.service"), content: renderFirstBootUnit(generatedHeader(from, "#")), mode: 0o644 },
    {
      path: files("etc/systemd/system/rtcgw-admin.service"),
      content: renderAdminUnit(generatedHeader(from, "#"), recipe.gateway.listen.wss.port),
      mode: 0o644,
    },
  ];
}

// agent.mjs: bundled for node20 (Debian 13's nodejs), minified (it carries the AWS SDK).
async function buildAgentScript(from: GeneratedFrom): Promise<string> {
  return bundleNodeProgram(join(agentDirectory, "main.ts"), generatedHeader(from, "//"), { minify: true });
}

// JsSIP's browser build (the npm package ships only CommonJS), exposed as `window.JsSIP`.
async function buildJsSipForBrowsers(): Promise<string> {
  return buildWithCache({
    // Resolved like an import: rtcgw installed in a project may find jssip hoisted beside it.
    entryPoints: [createRequire(import.meta.url).resolve("jssip/lib/JsSIP.js")],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "JsSIP",
    target: "chrome100",
    minify: true,
    legalComments: "eof",
    logLevel: "silent",
  });
}
