// `npm pack` / `npm publish` (prepack): writes dist/ for the published package — the CLI bundle, the DSL
// as JavaScript (`import { defineRecipe } from "rtcgw"` at run time) and its type declarations (editors,
// `tsc`). Node 20 runs no TypeScript from node_modules, and a .ts file there would be type-checked with
// the user's compiler options, hence compiled files. postpack removes dist/ again.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleCli } from "./bundle-cli.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const dslEntry = join(root, "dsl/index.ts");

rmSync(dist, { recursive: true, force: true });
await bundleCli(root, join(dist, "cli"));

const { build } = await import("esbuild");
await build({
  entryPoints: [dslEntry],
  outfile: join(dist, "dsl/index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "error",
});

const { default: ts } = await import("typescript");
const program = ts.createProgram([dslEntry], {
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: root,
  outDir: join(dist, "types"),
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  allowImportingTsExtensions: true,
  strict: true,
  skipLibCheck: true,
  types: [],
});
const emitted = program.emit();
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0 || emitted.emitSkipped) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  console.error(`rtcgw prepack: the DSL's declarations did not build:\n${ts.formatDiagnostics(diagnostics, host)}`);
  process.exit(1);
}
