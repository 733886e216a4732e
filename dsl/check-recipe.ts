import { basename, relative } from "node:path";
import { recipeFileNamePattern } from "./patterns.ts";
import { loadRecipeFile, RecipeLoadError } from "./load-recipe.ts";
import { locateProblems } from "./locate-problems.ts";
import { parseRecipe } from "./parse.ts";
import type { Problem } from "./problems.ts";
import type { Recipe } from "./resolve.ts";

/** A checked recipe file: the resolved recipe, or every problem with its file:line:col. */
export type CheckResult = { ok: true; recipe: Recipe; warnings: Problem[]; path: string; source: string } | { ok: false; problems: Problem[]; path: string };

export interface CheckOptions {
  /** Type-check `.ts` recipes with the TypeScript compiler (slower: `rtcgw check` does, `compile` does not). */
  typecheck?: boolean;
  cwd?: string;
}

// Loads a recipe file and reports every problem at once: type errors, schema errors, rule violations.
export async function checkRecipeFile(path: string, options: CheckOptions = {}): Promise<CheckResult> {
  const cwd = options.cwd ?? process.cwd();
  const shownPath = relative(cwd, path) || path;
  const nameProblem = checkRecipeFileName(path);
  if (nameProblem) return { ok: false, problems: [nameProblem], path };
  let loaded;
  try {
    loaded = await loadRecipeFile(path, shownPath);
  } catch (error) {
    if (!(error instanceof RecipeLoadError)) throw error;
    const problem: Problem = { severity: "error", path: "", segments: [], message: error.message, ...(error.location ? { location: error.location } : {}) };
    return { ok: false, problems: [problem], path };
  }
  const isTypeScript = /\.(m?ts)$/.test(path);
  const typeProblems = options.typecheck && isTypeScript ? await (await import("./typecheck-recipe.ts")).typecheckRecipe(path, cwd) : [];

  const parsed = parseRecipe(loaded.value);
  const found = parsed.ok ? parsed.warnings : parsed.problems;
  const located = await locateProblems(found, loaded.path, loaded.source, shownPath);
  // A type error and a rule often describe the same mistake (an unknown upstream): say it once.
  const typeErrorLines = new Set(typeProblems.map((p) => `${p.location?.file}:${p.location?.line}`));
  const problems = sortProblems([...typeProblems, ...located.filter((p) => !typeErrorLines.has(`${p.location?.file}:${p.location?.line}`))]);
  const errors = problems.filter((p) => p.severity === "error");
  if (!parsed.ok || errors.length > 0) return { ok: false, problems, path };
  return { ok: true, recipe: parsed.recipe, warnings: problems, path, source: loaded.source };
}

// The file's base name goes into the header of every generated file: it passes the same kind of tight pattern as
// every recipe value that reaches a config.
function checkRecipeFileName(path: string): Problem | undefined {
  const name = basename(path);
  if (recipeFileNamePattern.test(name)) return undefined;
  return {
    severity: "error",
    path: "",
    segments: [],
    message: `recipe file name ${JSON.stringify(name)} would be written into every generated file's header: rename it to letters, digits, spaces and . _ - + @`,
  };
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0));
}
