// A problem found in a recipe: where (path in the recipe, and file:line:col once located) and what.

/** Where in the source a problem points. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem; `path` is dotted (`gateway.listen.rtp`), empty for whole-file problems. */
export interface Problem {
  severity: "error" | "warning";
  path: string;
  message: string;
  /** The recipe path the problem belongs to, as keys and indexes. */
  segments: readonly (string | number)[];
  location?: SourceLocation;
  /** TypeScript diagnostics come with their own tsc-formatted text. */
  code?: string;
}

// Builds a problem from a path given as segments.
export function problemAt(segments: readonly (string | number)[], message: string, severity: Problem["severity"] = "error"): Problem {
  return { severity, path: formatPath(segments), segments, message };
}

/** `["gateway", "dialPlan", 2, "upstream"]` → `gateway.dialPlan[2].upstream`. */
export function formatPath(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

// The one line a user sees: `recipes/gateway.ts:15:58 error gateway.listen.rtp: message`.
export function formatProblem(problem: Problem): string {
  const where = problem.location ? `${problem.location.file}:${problem.location.line}:${problem.location.column} ` : "";
  if (problem.code) return `${where}${problem.severity} ${problem.code}: ${problem.message}`;
  return `${where}${problem.severity} ${problem.path || "recipe"}: ${problem.message}`;
}
