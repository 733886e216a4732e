// Pure: whom the boot test's WebRTC calls dial, from the recipe's dial plan: a user whose first matching route
// relays to the PBX stand-in's upstream (the echo call), and one whose first matching route is music. Each is the
// shortest, most readable user that reaches its route (decided on the patterns' automata, dsl/dial-language.ts),
// or a reason there is none, which the boot test reports instead of the call.
import { buildDialLanguage, findReachingUser } from "../../dsl/dial-language.ts";
import type { Recipe } from "../../dsl/resolve.ts";

/** A dialled user, or why the call is not placed. */
export type CallTarget = { user: string } | { none: string };

/** The two calls of a boot. */
export interface CallTargets {
  /** Relayed to the upstream the PBX stand-in plays. */
  pbx: CallTarget;
  /** Played by the VM's media service. */
  music: CallTarget;
}

// The targets for `recipe` when the PBX stand-in plays `upstream` (undefined: there is no stand-in).
export function planCallTargets(recipe: Recipe, upstream: string | undefined): CallTargets {
  const routes = recipe.gateway.dialPlan;
  const reaching = (accepts: (route: (typeof routes)[number]) => boolean, what: string): CallTarget => {
    try {
      for (let j = 0; j < routes.length; j++) {
        if (!accepts(routes[j]!)) continue;
        const user = findReachingUser(
          buildDialLanguage(routes[j]!.pattern),
          routes.slice(0, j).map((route) => buildDialLanguage(route.pattern)),
        );
        if (user !== undefined) return { user };
      }
    } catch (error) {
      // A pattern the automata cannot represent (the recipe check reports it): no user is derived from it.
      return { none: `the dial plan's patterns could not be analysed: ${(error as Error).message}` };
    }
    return { none: `no dialled user reaches ${what} in the recipe's dial plan` };
  };
  return {
    pbx:
      upstream === undefined
        ? { none: "there is no PBX stand-in to answer it" }
        : reaching((route) => route.kind === "upstream" && route.upstream === upstream, `upstream ${upstream}`),
    music: reaching((route) => route.kind === "music", "a music route"),
  };
}
