// Bundles the TypeScript CLI with esbuild into one directory of ES modules: bin/rtcgw.mjs does it into
// node_modules/.cache/rtcgw in a clone, `npm pack` does it into dist/cli for the published package.
// Each module's `import.meta.url` keeps pointing at its original source file (code reads templates and
// assets beside itself), as a URL relative to the bundle, so the bundle works wherever it is installed.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

// Writes the bundle of `<root>/cli/main.ts` to `outDir` (replaced whole, never left half-written).
export async function bundleCli(root, outDir) {
  const { build } = await import("esbuild");
  mkdirSync(dirname(outDir), { recursive: true });
  const temporary = `${outDir}.${process.pid}.tmp`;
  const moduleUrl = {
    name: "module-url",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const fromBundle = relative(outDir, args.path).split(sep).map(encodeURIComponent).join("/");
        // `define` below turns every `import.meta.url` into this module's own constant; strings are left alone.
        const prologue = `const __rtcgwMeta = import.meta; const __rtcgwModuleUrl = new URL(${JSON.stringify(fromBundle)}, __rtcgwMeta.url).href;`;
        return { contents: `${prologue}\n${readFileSync(args.path, "utf8")}`, loader: "ts" };
      });
    },
  };
  // Code splitting keeps each command's imports (the AWS SDK, ts-morph, ...) out of the start-up path.
  await build({
    entryPoints: { main: join(root, "cli/main.ts") },
    outdir: temporary,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "error",
    define: { "import.meta.url": "__rtcgwModuleUrl" },
    plugins: [moduleUrl],
  });
  writeFileSync(join(temporary, "package.json"), '{ "type": "module" }\n');
  rmSync(outDir, { recursive: true, force: true });
  renameSync(temporary, outDir);
}
