import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { RecipeFormat } from "../dsl/edit/edit-recipe-text.ts";
import { projectRoot } from "../gateway/render-template.ts";
import { writeFileAtomic } from "../io/write-file-atomic.ts";

/** Which project files were written, which existing ones were left alone (with why), and advice. */
export interface ProjectFiles {
  written: string[];
  kept: string[];
  notes: string[];
}

// rtcgw's own version, for the dev dependency a new project gets.
export function readRtcgwVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }).version;
}

/** What `npm install --save-dev rtcgw` leaves in an empty directory (and what `git init` adds). */
const freshProjectEntries = new Set([".git", ".gitignore", ".npmrc", "node_modules", "package.json", "package-lock.json"]);

// True when `dir` has no project of its own yet: empty, or only what installing rtcgw made.
export function isFreshDirectory(dir: string): boolean {
  return readdirSync(dir).every((entry) => freshProjectEntries.has(entry));
}

// Makes `dir` a recipe project when it has none yet (`fresh`, or no package.json): package.json with rtcgw
// as a dev dependency, tsconfig.json for a TypeScript recipe (the compiler options `rtcgw check` uses, so
// the editor agrees with it) and a .gitignore for what rtcgw writes; files that exist are kept. An
// existing project is left as it is.
export async function writeProjectFiles(dir: string, options: { format: RecipeFormat; recipe: string; fresh: boolean }): Promise<ProjectFiles> {
  const files: ProjectFiles = { written: [], kept: [], notes: [] };
  if (existsSync(join(dir, "package.json"))) {
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: object; devDependencies?: object };
    const listed = "rtcgw" in (manifest.devDependencies ?? {}) || "rtcgw" in (manifest.dependencies ?? {});
    if (!listed) files.kept.push("package.json (add rtcgw to it: `npm install --save-dev rtcgw`)");
    if (!options.fresh) {
      if (options.format === "ts" && !existsSync(join(dir, "tsconfig.json")))
        files.notes.push(
          'this project has no tsconfig.json: for your editor to check the recipe with rtcgw\'s types, add one with "moduleResolution": "bundler"',
        );
      return files;
    }
  }
  const write = async (name: string, content: unknown, what: string) => {
    if (existsSync(join(dir, name))) {
      if (name !== "package.json") files.kept.push(`${name} (it exists${name === ".gitignore" ? ": add out/ and .rtcgw/ to it" : ""})`);
      return;
    }
    await writeFileAtomic(join(dir, name), typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`, { exclusive: true });
    files.written.push(`${name} (${what})`);
  };
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[._-]+/, "") || "gateway";
  await write(
    "package.json",
    {
      name,
      private: true,
      type: "module",
      scripts: { check: `rtcgw check ${options.recipe}`, build: `rtcgw build-ami ${options.recipe}` },
      devDependencies: { rtcgw: `^${readRtcgwVersion()}` },
    },
    "rtcgw as a dev dependency",
  );
  if (options.format === "ts") {
    const compilerOptions = {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      lib: ["ES2022"],
      types: [],
      strict: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
    };
    await write(
      "tsconfig.json",
      { compilerOptions, include: [dirname(options.recipe) === "." ? basename(options.recipe) : dirname(options.recipe)] },
      "editors check the recipe with rtcgw's types",
    );
  }
  await write(
    ".gitignore",
    "# What rtcgw writes: compiled bundles and images, the AWS journal, temporary files a crash may leave.\nout/\n.rtcgw/\n*.rtcgw-tmp*\nnode_modules/\n",
    "out/, .rtcgw/, node_modules/",
  );
  return files;
}
