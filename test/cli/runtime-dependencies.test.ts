// Every package the product code imports (what `npm install rtcgw` must bring) is a runtime dependency:
// a devDependency is not installed for users, so importing one at run time breaks the installed tool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { projectDir } from "./run-cli.ts";

// What the package ships (package.json's `files`), without dist/, which is built from it.
const shipped = (JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { files: string[] }).files.filter((entry) => entry !== "dist/");

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSources(path);
    return /\.(ts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

// The npm package an import specifier names (`@aws-sdk/client-ec2/x` → `@aws-sdk/client-ec2`), or undefined for relative and node: imports.
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:") || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

test("the product code imports only runtime dependencies (never a devDependency)", () => {
  const manifest = JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const wrong: string[] = [];
  let imports = 0;
  const files = shipped.flatMap((entry) =>
    entry.endsWith("/") ? listSources(join(projectDir, entry)) : /\.(ts|mjs|js)$/.test(entry) ? [join(projectDir, entry)] : [],
  );
  assert.ok(files.some((f) => f.endsWith("cli/main.ts")) && files.some((f) => f.endsWith("bin/rtcgw.mjs")), "the shipped sources are scanned");
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    // import/export … from, import(), and import.meta.resolve() (a package the code runs Node with, as tsx for the smoke and boot tests).
    for (const match of text.matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|import\.meta\.resolve\(\s*"([^"]+)"\s*\)/g,
    )) {
      const name = packageOf(match[1] ?? match[2] ?? match[3]!);
      if (name === undefined) continue;
      imports++;
      if (!(name in manifest.dependencies))
        wrong.push(`${relative(projectDir, file)} imports ${name}${name in manifest.devDependencies ? " (a devDependency)" : " (not in package.json)"}`);
    }
  }
  assert.ok(imports > 30, `found ${imports} package imports`);
  assert.deepEqual(wrong, []);
});
