import { formatProblem, type Problem } from "../dsl/problems.ts";
import type { CommandIo } from "./command.ts";

// Prints problems one per line (file:line:col severity path: message) and a count, or as JSON.
export function printProblems(io: CommandIo, problems: readonly Problem[], json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify({ ok: false, problems: problems.map(({ segments: _segments, ...rest }) => rest) }, null, 2)}\n`);
    return;
  }
  for (const problem of problems) io.stderr(`${formatProblem(problem)}\n`);
  const errors = problems.filter((p) => p.severity === "error").length;
  io.stderr(`${errors} error${errors === 1 ? "" : "s"}${problems.length > errors ? `, ${problems.length - errors} warning(s)` : ""}\n`);
}
