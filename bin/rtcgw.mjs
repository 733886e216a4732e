#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx's loader (no build step, sources are the product).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
