import { TooManyNodesError } from "refa";
import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { buildDialLanguage, findUnreachable, type DialLanguage } from "../dial-language.ts";
import { routeNumber } from "../route-number.ts";

// Conference and music routes need a UDP socket to reach the media service. Each route must be reachable: flags a route whose every dialled user the earlier routes already take,
// decided exactly (language inclusion between the patterns' automata), with an example user in the message.
export function checkDialPlan(recipe: Recipe): Problem[] {
  const routes = recipe.gateway.dialPlan;
  const problems: Problem[] = [];
  const compiled = routes.map((route) => new RegExp(route.pattern));
  const languages: (DialLanguage | undefined)[] = [];
  routes.forEach((route, j) => {
    const at = ["gateway", "dialPlan", j, "pattern"];
    const perlEscape = /\\[dDwWsSbB]/.exec(route.pattern);
    if (perlEscape) problems.push(problemAt(at, `"${perlEscape[0]}" is not POSIX (Kamailio matches with POSIX ERE): use a bracket expression such as [0-9]`));
    if (route.kind === "conference" && !hasCaptureGroup(compiled[j]!)) {
      problems.push(problemAt(at, "a conference pattern needs a group naming the room, e.g. ^\\*([0-9]{8})$"));
    }
    if ((route.kind === "conference" || route.kind === "music") && !recipe.gateway.listen.sip.transports.includes("udp")) {
      problems.push(
        problemAt(
          ["gateway", "dialPlan", j, "kind"],
          `route ${routeNumber(j)} (${route.kind}) relays to the on-board media service over UDP but the gateway has no SIP UDP listener: add "udp" to gateway.listen.sip.transports`,
        ),
      );
    }
    const language = perlEscape ? undefined : tryBuildDialLanguage(route.pattern);
    languages.push(language);
    if (!language) return;
    const self = `route ${routeNumber(j)} (${route.kind} ${route.pattern})`;
    let unreachable;
    try {
      unreachable = findUnreachable(
        language,
        languages.slice(0, j).filter((l): l is DialLanguage => l !== undefined),
      );
    } catch (error) {
      if (!(error instanceof TooManyNodesError)) throw error;
      problems.push(
        problemAt(
          at,
          `${self}: whether it is ever reached cannot be decided (the patterns up to it need more than 10000 automaton states): simplify them, e.g. fewer ".*" followed by counted repeats`,
          "warning",
        ),
      );
      return;
    }
    if (!unreachable) return;
    if (unreachable.kind === "empty") {
      problems.push(problemAt(at, `${self} matches no dialled number: check the pattern's ^ and $`));
      return;
    }
    const taker = compiled.slice(0, j).findIndex((earlier) => earlier.test(unreachable.witness));
    const by = routes[taker]!;
    problems.push(
      problemAt(
        at,
        `${self} is never reached: the routes before it take every number it matches (e.g. "${unreachable.witness}" goes to route ${routeNumber(taker)}, ${by.kind} ${by.pattern}); move it earlier`,
      ),
    );
  });
  return problems;
}

// A pattern refa cannot represent (a backreference it cannot resolve) is left out of the reachability check.
function tryBuildDialLanguage(pattern: string): DialLanguage | undefined {
  try {
    return buildDialLanguage(pattern);
  } catch {
    return undefined;
  }
}

function hasCaptureGroup(regex: RegExp): boolean {
  return new RegExp(`${regex.source}|`).exec("")!.length > 1;
}
