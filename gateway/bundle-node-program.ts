import { buildWithCache } from "./build-with-cache.ts";

// One ES module for Debian 13's own nodejs (v20) with every dependency inlined: how the agent and the
// media service reach the image. CommonJS dependencies get a `require` made with createRequire.
export async function bundleNodeProgram(entry: string, header: string, options: { minify?: boolean } = {}): Promise<string> {
  return buildWithCache({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    minify: options.minify ?? false,
    legalComments: "eof",
    logLevel: "silent",
    banner: { js: `${header}\nimport { createRequire as __rtcgwCreateRequire } from "node:module";\nconst require = __rtcgwCreateRequire(import.meta.url);` },
  });
}
