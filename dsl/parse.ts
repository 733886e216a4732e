import type { z } from "zod";
import { recipeSchema } from "./schema.ts";
import { resolveRecipe, type Recipe } from "./resolve.ts";
import { formatPath, problemAt, type Problem } from "./problems.ts";
import { checkRules } from "./rules/index.ts";
import { listKnownKeys } from "./schema-keys.ts";
import { closestName } from "./suggest.ts";

/** The outcome of validating a recipe value: the resolved recipe, or every problem found. */
export type ParseResult = { ok: true; recipe: Recipe; warnings: Problem[] } | { ok: false; problems: Problem[] };

// Validates a recipe value (schema, then the cross-field rules) and resolves its defaults.
// When the schema fails, the rules still run on a copy with the failing values removed, so one
// run reports every problem.
export function parseRecipe(value: unknown): ParseResult {
  const parsed = recipeSchema.safeParse(value);
  if (parsed.success) {
    const recipe = resolveRecipe(parsed.data);
    const found = checkRules(recipe);
    if (found.some((p) => p.severity === "error")) return { ok: false, problems: found };
    return { ok: true, recipe, warnings: found };
  }
  const problems = parsed.error.issues.flatMap(issueToProblems);
  const repaired = parseWithoutFailingValues(value, parsed.error.issues);
  if (repaired) {
    const failing = problems.map((p) => p.path);
    const more = checkRules(resolveRecipe(repaired)).filter(
      (p) => !failing.some((f) => p.path === f || p.path.startsWith(`${f}.`) || p.path.startsWith(`${f}[`)),
    );
    problems.push(...more);
  }
  return { ok: false, problems };
}

function issueToProblems(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path as (string | number)[];
  if (issue.code === "unrecognized_keys") {
    const known = listKnownKeys(recipeSchema, path);
    return issue.keys.map((key) => {
      const guess = closestName(key, known);
      const hint = guess ? `did you mean \`${guess}\`?` : "check the spelling";
      return problemAt([...path, key], `unknown field \`${key}\`${path.length ? ` in ${formatPath(path)}` : ""}: ${hint} (see \`rtcgw schema\`)`);
    });
  }
  return [problemAt(path, issue.message)];
}

// Removes failing values (array items are spliced out) and parses again, a few rounds at most.
function parseWithoutFailingValues(value: unknown, issues: readonly z.core.$ZodIssue[]): z.output<typeof recipeSchema> | undefined {
  const copy = structuredClone(value);
  let pending = issues;
  for (let round = 0; round < 4; round++) {
    const paths = pending.flatMap((issue) => (issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path]));
    paths.sort((a, b) => compareDescending(a as (string | number)[], b as (string | number)[]));
    for (const segments of paths) removeAt(copy, segments as (string | number)[]);
    const again = recipeSchema.safeParse(copy);
    if (again.success) return again.data;
    pending = again.error.issues;
  }
  return undefined;
}

// Later array indexes first, so splicing one item does not shift the next.
function compareDescending(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return typeof a[i] === "number" && typeof b[i] === "number" ? (b[i] as number) - (a[i] as number) : 0;
  }
  return b.length - a.length;
}

function removeAt(root: unknown, segments: (string | number)[]): void {
  if (segments.length === 0) return;
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  const last = segments.at(-1)!;
  if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
  else if (node !== null && typeof node === "object") delete (node as Record<string | number, unknown>)[last];
}
