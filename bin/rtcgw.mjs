#!/usr/bin/env node
// Entry point. The CLI is TypeScript and runs from an esbuild bundle, because importing a bundle starts
// several hundred milliseconds faster than compiling each file on every run. The published package ships
// that bundle (dist/cli, made by `npm pack`): nothing is written at start-up, so a read-only install works.
// A clone bundles into node_modules/.cache/rtcgw instead, rebuilt when a source file changes (~0.1 s).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The source folders are the package's: the folders package.json's `files` ships, except the built dist/.
const sourceDirs = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
  .files.filter((entry) => entry.endsWith("/") && entry !== "dist/")
  .map((entry) => entry.slice(0, -1));

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

// The bundle to run: the shipped one in an installed package, else the clone's cached one (rebuilt if stale).
// A clone (it has .git) never runs a dist/ left behind by an interrupted `npm pack`.
async function findBundle() {
  const shipped = join(root, "dist", "cli", "main.js");
  if (existsSync(shipped) && !existsSync(join(root, ".git"))) return shipped;
  const cacheDir = join(root, "node_modules", ".cache", "rtcgw");
  const stampPath = join(cacheDir, "cli.stamp");
  const stamp = sourceStamp();
  let cached;
  try {
    cached = readFileSync(stampPath, "utf8");
  } catch {
    cached = undefined;
  }
  if (cached !== stamp) {
    const { bundleCli } = await import("./bundle-cli.mjs");
    await bundleCli(root, join(cacheDir, "cli"));
    writeFileSync(stampPath, stamp);
  }
  return join(cacheDir, "cli", "main.js");
}

const { main } = await import(pathToFileURL(await findBundle()).href);
process.exitCode = await main(process.argv.slice(2));
