import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { callsForRtpPorts } from "../../dsl/rules/capacity.ts";
import { formatPortRange, portCount } from "../../dsl/units.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { printProblems } from "../print-problems.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { displayPath } from "../display-path.ts";

export const checkCommand: Command = {
  name: "check",
  help: `Usage: rtcgw check [recipe] [--json] [--no-typecheck]

Type-checks the recipe with TypeScript, validates it against the schema and runs the rules:
port overlaps (the appliance's internal ports included), a listener for every upstream's transport,
RTP capacity, dial routes never reached (decided exactly, with an example number), unknown upstreams,
fields and AWS regions (with "did you mean"), public + encrypted, TLS certificate checks, ...
Every problem is reported at once as  file:line:col error path: message; warnings do not fail.
Writes nothing beside the recipe (a .ts recipe is bundled under the OS temp directory).
docs/DECISIONS.md says what a passing check guarantees and what it does not.

Arguments:
  recipe            recipe file (.ts, .js, .json, .yaml); default recipes/gateway.ts

Options:
  --json            print the result as JSON on stdout
  --no-typecheck    skip the TypeScript type-check (schema and rules still run)
  -h, --help        show this help

Exit status: 0 valid, 1 problems found, 2 usage error.
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: "boolean" }, "no-typecheck": { type: "boolean" } }, "check");
    const path = resolveRecipeArgument(positionals, io.cwd, "check");
    const result = await checkRecipeFile(path, { typecheck: !values["no-typecheck"], cwd: io.cwd });
    if (!result.ok) {
      printProblems(io, result.problems, Boolean(values.json));
      return 1;
    }
    const shown = displayPath(io.cwd, path);
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, recipe: shown, summary: summarize(result.recipe), warnings: result.warnings }, null, 2)}\n`);
    else {
      if (result.warnings.length > 0) printProblems(io, result.warnings, false);
      io.stdout(`${shown}: ok — ${describe(result.recipe)}\n`);
    }
    return 0;
  },
};

function summarize(recipe: Recipe) {
  const { listen, upstreams, dialPlan, rules } = recipe.gateway;
  return {
    name: recipe.name,
    upstreams: upstreams.map((u) => u.name),
    dialRoutes: dialPlan.length,
    sip: formatPortRange(listen.sip.ports),
    wss: listen.wss.port,
    rtp: formatPortRange(listen.rtp),
    rtpCalls: callsForRtpPorts(portCount(listen.rtp)),
    maxCallSeconds: rules.maxCallSeconds ?? null,
    regions: recipe.regions,
  };
}

function describe(recipe: Recipe): string {
  const s = summarize(recipe);
  const regions = s.regions === "all-enabled" ? "all enabled regions" : `${s.regions.length} region${s.regions.length === 1 ? "" : "s"}`;
  return `${s.upstreams.length} upstream${s.upstreams.length === 1 ? "" : "s"}, ${s.dialRoutes} dial routes, SIP ${s.sip}, WSS ${s.wss}, RTP ${s.rtp} (${s.rtpCalls} calls)${s.maxCallSeconds ? `, calls ≤ ${s.maxCallSeconds}s` : ""}, ${regions}`;
}
