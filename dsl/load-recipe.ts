import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dslEntry = join(dirname(fileURLToPath(import.meta.url)), "index.ts");

/** What a recipe file evaluates to, before validation. */
export interface LoadedRecipeFile {
  path: string;
  source: string;
  value: unknown;
}

/** A recipe file that could not be read or evaluated (syntax error, throwing code, missing default export). */
export class RecipeLoadError extends Error {
  constructor(
    message: string,
    readonly location?: { file: string; line: number; column: number },
  ) {
    super(message);
  }
}

// Reads a recipe: `.ts`/`.mts`/`.js`/`.mjs` are bundled with esbuild and imported (no build step for the
// user), `.json` and `.yaml`/`.yml` are parsed. Returns the default export's value.
export async function loadRecipeFile(path: string, shownPath = path): Promise<LoadedRecipeFile> {
  const absolute = resolve(path);
  let source: string;
  try {
    source = await readFile(absolute, "utf8");
  } catch (error) {
    throw new RecipeLoadError(
      `cannot read recipe ${shownPath}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; pass an existing file (e.g. recipes/gateway.ts) or create one with \`rtcgw init\``,
    );
  }
  const extension = extname(absolute);
  if (extension === ".json") return { path: absolute, source, value: parseJson(source, shownPath) };
  if (extension === ".yaml" || extension === ".yml") return { path: absolute, source, value: await parseYaml(source, shownPath) };
  return { path: absolute, source, value: await importModule(absolute, shownPath) };
}

function parseJson(source: string, path: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new RecipeLoadError(`${path}: invalid JSON: ${(error as Error).message}`);
  }
}

async function parseYaml(source: string, path: string): Promise<unknown> {
  const { parseDocument } = await import("yaml");
  const document = parseDocument(source);
  if (document.errors.length > 0) throw new RecipeLoadError(`${path}: invalid YAML: ${document.errors[0]!.message}`);
  return document.toJS();
}

// Bundles the recipe (with everything it imports) to a temporary module under the OS temp directory, never
// beside the recipe (a read-only folder works, a crash leaves no litter there), imports it and removes it.
async function importModule(absolute: string, shownPath: string): Promise<unknown> {
  const { build } = await import("esbuild");
  const tempDir = await mkdtemp(join(tmpdir(), "rtcgw-recipe-"));
  const outfile = join(tempDir, `${basename(absolute)}.mjs`);
  try {
    await build({
      entryPoints: [absolute],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: true,
      logLevel: "silent",
      alias: { rtcgw: dslEntry },
    }).catch((error: { errors?: { text: string; location?: { line: number; column: number } | null }[] }) => {
      const first = error.errors?.[0];
      const location = first?.location ? { file: shownPath, line: first.location.line, column: first.location.column + 1 } : undefined;
      throw new RecipeLoadError(first ? first.text : String(error), location);
    });
    const module = (await import(pathToFileURL(outfile).href)) as { default?: unknown };
    if (module.default === undefined) {
      throw new RecipeLoadError(`${shownPath} has no default export: write \`export default defineRecipe({ ... })\``);
    }
    return module.default;
  } catch (error) {
    if (error instanceof RecipeLoadError) throw error;
    throw new RecipeLoadError(`${shownPath} failed while loading: ${(error as Error).message}`);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
