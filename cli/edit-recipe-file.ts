import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join, relative } from "node:path";
import { checkRecipeFile } from "../dsl/check-recipe.ts";
import { editRecipeText } from "../dsl/edit/edit-recipe-text.ts";
import type { RecipeEdit } from "../dsl/edit/recipe-edits.ts";
import type { Problem } from "../dsl/problems.ts";
import { writeFileAtomic } from "../io/write-file-atomic.ts";
import { isProcessRunning } from "../io/is-process-running.ts";

/** A recipe file after an edit: written (with check's warnings), or untouched with the problems check found. */
export type RecipeFileEdit = { ok: true; text: string; warnings: Problem[] } | { ok: false; problems: Problem[] };

// Writes `text` (a whole recipe, or `original` with `edits` applied) to `path` only if the result passes
// `rtcgw check` (types, schema, rules). It is checked as a hidden sibling with the same extension (so the
// recipe's relative imports resolve as they will), then written with the one atomic write: a failed check
// leaves the recipe as it was, and it is never half-written.
export async function writeCheckedRecipe(
  path: string,
  source: { original: string; edits: readonly RecipeEdit[] } | { text: string },
  options: { cwd: string; exclusive?: boolean; dryRun?: boolean },
): Promise<RecipeFileEdit> {
  const text = "text" in source ? source.text : await editRecipeText(source.original, source.edits, path);
  const mode = options.exclusive ? 0o644 : (await stat(path)).mode & 0o7777;
  const extension = extname(path);
  const candidate = join(dirname(path), `.${basename(path, extension)}.rtcgw-tmp-${process.pid}-${randomBytes(4).toString("hex")}${extension}`);
  await mkdir(dirname(path), { recursive: true });
  await removeStaleCandidates(path);
  try {
    await writeFile(candidate, text, { mode, flag: "wx" });
    const checked = await checkRecipeFile(candidate, { cwd: options.cwd, typecheck: true });
    const shown = (p: string) => relative(options.cwd, p) || p;
    const problems = (checked.ok ? checked.warnings : checked.problems).map((p) => renameLocation(p, shown(candidate), shown(path)));
    if (!checked.ok) return { ok: false, problems };
    if (!options.dryRun) await writeFileAtomic(path, text, { mode, exclusive: options.exclusive ?? false });
    return { ok: true, text, warnings: problems };
  } finally {
    await rm(candidate, { force: true });
  }
}

// Checked copies a killed edit left beside the recipe (their process is gone) are removed.
async function removeStaleCandidates(path: string): Promise<void> {
  const extension = extname(path);
  const pattern = new RegExp(
    `^\\.${basename(path, extension).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.rtcgw-tmp-(\\d+)-[0-9a-f]{8}${extension.replace(".", "\\.")}$`,
  );
  for (const entry of await readdir(dirname(path))) {
    const pid = pattern.exec(entry)?.[1];
    if (pid !== undefined && !isProcessRunning(Number(pid))) await rm(join(dirname(path), entry), { force: true });
  }
}

// The problem as if found in the recipe itself rather than in its checked copy.
function renameLocation(problem: Problem, candidate: string, shown: string): Problem {
  const message = problem.message.split(candidate).join(shown);
  return {
    ...problem,
    message,
    ...(problem.location ? { location: { ...problem.location, file: problem.location.file === candidate ? shown : problem.location.file } } : {}),
  };
}
