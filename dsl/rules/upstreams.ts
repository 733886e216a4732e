import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { closestName } from "../suggest.ts";

// Upstream names are unique, and every route names one that exists (JSON/YAML recipes skip the type checker).
export function checkUpstreams(recipe: Recipe): Problem[] {
  const { upstreams, dialPlan } = recipe.gateway;
  const problems: Problem[] = [];
  const names = upstreams.map((u) => u.name);
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index) problems.push(problemAt(["gateway", "upstreams", index, "name"], `duplicate upstream name "${name}": names must be unique`));
  });
  dialPlan.forEach((route, index) => {
    if (route.kind !== "upstream" || names.includes(route.upstream)) return;
    const guess = closestName(route.upstream, names);
    const hint = guess ? `did you mean "${guess}"?` : `known upstreams: ${names.map((n) => `"${n}"`).join(", ")}`;
    problems.push(problemAt(["gateway", "dialPlan", index, "upstream"], `unknown upstream "${route.upstream}": ${hint}`));
  });
  return problems;
}
