#!/usr/bin/env node
// Entry point. The CLI is TypeScript; it is bundled once with esbuild into node_modules/.cache/rtcgw
// (rebuilt when a source file changes, ~0.1 s) because importing the bundle starts several hundred
// milliseconds faster than compiling each file on every run. `import.meta.url` keeps pointing at each
// original source file, so code that reads files beside itself (templates, assets) works unchanged.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDirs = ["cli", "dsl", "gateway", "image", "regions"];
const cacheDir = join(root, "node_modules", ".cache", "rtcgw");
const bundleDir = join(cacheDir, "cli");
const bundlePath = join(bundleDir, "main.js");
const stampPath = join(cacheDir, "cli.stamp");

function sourceStamp() {
  let newest = 0;
  let count = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        count++;
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  for (const dir of sourceDirs) walk(join(root, dir));
  return `${count}:${newest}`;
}

async function buildBundle(stamp) {
  mkdirSync(cacheDir, { recursive: true });
  const { build } = await import("esbuild");
  const keepImportMeta = {
    name: "keep-import-meta",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const url = pathToFileURL(args.path).href;
        const contents = readFileSync(args.path, "utf8")
          .replaceAll("import.meta.url", JSON.stringify(url))
          .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)));
        return { contents, loader: "ts" };
      });
    },
  };
  // Code splitting keeps each command's imports (the AWS SDK, ts-morph, ...) out of the start-up path.
  const temporary = `${bundleDir}.${process.pid}.tmp`;
  await build({ entryPoints: { main: join(root, "cli/main.ts") }, outdir: temporary, bundle: true, splitting: true, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "error", outExtension: { ".js": ".js" }, plugins: [keepImportMeta] });
  writeFileSync(join(temporary, "package.json"), '{ "type": "module" }\n');
  rmSync(bundleDir, { recursive: true, force: true });
  renameSync(temporary, bundleDir);
  writeFileSync(stampPath, stamp);
}

const stamp = sourceStamp();
let cached;
try {
  cached = readFileSync(stampPath, "utf8");
} catch {
  cached = undefined;
}
if (cached !== stamp) await buildBundle(stamp);
const { main } = await import(pathToFileURL(bundlePath).href);
process.exitCode = await main(process.argv.slice(2));
