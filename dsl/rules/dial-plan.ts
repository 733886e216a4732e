import randexpModule from "randexp";

// randexp is CommonJS with `export =` typings; its default import is the constructor at run time.
const RandExp = randexpModule as unknown as new (pattern: string) => { max: number; randInt: (from: number, to: number) => number; gen(): string };
import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";

const samplesPerRoute = 64;

// Each route must be reachable: flags a route whose every dialled string an earlier route already takes.
// Samples are drawn from the later route's pattern; one sample no earlier route matches proves it reachable.
export function checkDialPlan(recipe: Recipe): Problem[] {
  const routes = recipe.gateway.dialPlan;
  const problems: Problem[] = [];
  const compiled = routes.map((route) => new RegExp(route.pattern));
  routes.forEach((route, j) => {
    const at = ["gateway", "dialPlan", j, "pattern"];
    const perlEscape = /\\[dDwWsSbB]/.exec(route.pattern);
    if (perlEscape) problems.push(problemAt(at, `"${perlEscape[0]}" is not POSIX (Kamailio matches with POSIX ERE): use a bracket expression such as [0-9]`));
    if (route.kind === "conference" && !hasCaptureGroup(compiled[j]!)) {
      problems.push(problemAt(at, "a conference pattern needs a group naming the room, e.g. ^\\*([0-9]{8})$"));
    }
    const samples = sampleMatches(route.pattern);
    if (samples.length === 0) return;
    const shadow = compiled.slice(0, j).findIndex((earlier) => samples.every((s) => earlier.test(s)));
    if (shadow >= 0) {
      problems.push(problemAt(at, `route ${j} (${route.kind} ${route.pattern}) is never reached: route ${shadow} (${routes[shadow]!.kind} ${routes[shadow]!.pattern}) matches everything it matches; move it earlier`));
    }
  });
  return problems;
}

function hasCaptureGroup(regex: RegExp): boolean {
  return new RegExp(`${regex.source}|`).exec("")!.length > 1;
}

function sampleMatches(pattern: string): string[] {
  const generator = new RandExp(pattern);
  generator.max = 12;
  generator.randInt = seededRandom(pattern);
  const regex = new RegExp(pattern);
  const samples: string[] = [];
  for (let i = 0; i < samplesPerRoute; i++) {
    const sample = generator.gen();
    if (regex.test(sample)) samples.push(sample);
  }
  return samples;
}

// Deterministic samples: the same recipe always gets the same verdict.
function seededRandom(seedText: string): (from: number, to: number) => number {
  let state = [...seedText].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 2166136261) || 1;
  return (from, to) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return from + (state % (to - from + 1));
  };
}
