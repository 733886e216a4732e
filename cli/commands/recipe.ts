import { readFile } from "node:fs/promises";
import { loadRecipeFile, RecipeLoadError } from "../../dsl/load-recipe.ts";
import { parseRecipe } from "../../dsl/parse.ts";
import { hostnamePattern, isIpAddress } from "../../dsl/patterns.ts";
import { formatProblem } from "../../dsl/problems.ts";
import { parseRecipePath, parseRecipeValue, RecipeEditError } from "../../dsl/edit/recipe-edits.ts";
import { planPbxChange, planRegionAdd, planRegionRemove, planValueSet, type RecipeChangePlan } from "../../dsl/edit/plan-recipe-changes.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command, CommandIo } from "../command.ts";
import { displayPath } from "../display-path.ts";
import { writeCheckedRecipe } from "../edit-recipe-file.ts";
import { ExitError, UsageError } from "../errors.ts";
import { printProblems } from "../print-problems.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { resolveHostAddresses } from "../resolve-host-addresses.ts";

export const recipeCommand: Command = {
  name: "recipe",
  help: `Usage: rtcgw recipe <change> [recipe] [options]

Changes a recipe (.ts, .json or .yaml) in place, keeping its formatting and comments. The changed
recipe must pass \`rtcgw check\` (types, schema, rules) before anything is written; if it does not,
the problems are printed and the file stays as it was.

Changes:
  set pbx HOST [recipe]          point the upstream at another PBX: its host, the addresses calls
                                 come from (HOST's IP, or what the name resolves to now) and the SIP
                                 domain when it was the old host
  add-region REGION [recipe]     publish to one more AWS region
  remove-region REGION [recipe]  publish to one region fewer
  set PATH VALUE [recipe]        set any field; VALUE is JSON or plain text, e.g.
                                   rtcgw recipe set gateway.listen.rtp 10000-12000
                                   rtcgw recipe set image.disk.sizeGiB 10
                                   rtcgw recipe set gateway.rules '[{"kind":"strip-video"}]'

Arguments:
  recipe                 recipe file; default recipes/gateway.ts

Options:
  --upstream NAME        set pbx: which upstream, when the recipe has several
  --allow-from CIDR,...  set pbx: the addresses the PBX sends calls from (instead of deriving them)
  --dry-run              print the changed recipe (checked) and write nothing
  --json                 print the outcome as JSON
  -h, --help             show this help
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { upstream: { type: "string" }, "allow-from": { type: "string" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } },
      "recipe",
    );
    const [change, ...args] = positionals;
    const arity = change === "set" ? 2 : change === "add-region" || change === "remove-region" ? 1 : -1;
    if (arity < 0)
      throw new UsageError(
        change
          ? `unknown change "${change}": use set pbx HOST, add-region REGION, remove-region REGION or set PATH VALUE`
          : "say what to change: set pbx HOST, add-region REGION, remove-region REGION or set PATH VALUE; see `rtcgw recipe --help`",
      );
    if (args.length < arity)
      throw new UsageError(`\`rtcgw recipe ${change}\` needs ${change === "set" ? "PATH VALUE (or pbx HOST)" : "REGION"}; see \`rtcgw recipe --help\``);
    const path = resolveRecipeArgument(args.slice(arity), io.cwd, "recipe");
    const json = Boolean(values.json);
    const shown = displayPath(io.cwd, path);
    try {
      const original = await readFile(path, "utf8");
      const loaded = await loadRecipeFile(path, shown);
      const parsed = parseRecipe(loaded.value);
      const regions = parsed.ok ? parsed.recipe.regions : undefined;
      let plan: RecipeChangePlan;
      if (change === "add-region") plan = planRegionAdd(loaded.value, regions, args[0]!);
      else if (change === "remove-region") plan = planRegionRemove(loaded.value, regions, args[0]!);
      else if (args[0] === "pbx") plan = planPbxChange(loaded.value, await pbxSettings(args[1]!, values));
      else plan = planValueSet(loaded.value, parseRecipePath(args[0]!), parseRecipeValue(args[1]!));
      if (plan.edits.length === 0) return report(io, json, shown, plan, { ok: true, written: false });
      const outcome = await writeCheckedRecipe(path, { original, edits: plan.edits }, { cwd: io.cwd, dryRun: Boolean(values["dry-run"]) });
      if (!outcome.ok) {
        printProblems(io, outcome.problems, json);
        if (!json) io.stderr(`${shown} is unchanged: the change would not pass check (line numbers are those of the changed recipe)\n`);
        return 1;
      }
      if (values["dry-run"] && !json) io.stdout(outcome.text);
      for (const warning of outcome.warnings) io.stderr(`${formatProblem(warning)}\n`);
      return report(io, json, shown, plan, { ok: true, written: !values["dry-run"] });
    } catch (error) {
      if (error instanceof RecipeEditError)
        throw new ExitError(`${shown}${error.location ? `:${error.location.line}:${error.location.column}` : ""}: ${error.message}; nothing was written`);
      if (error instanceof RecipeLoadError) throw new ExitError(`${error.message}; nothing was written`);
      throw error;
    }
  },
};

async function pbxSettings(host: string, values: { upstream?: string; "allow-from"?: string }) {
  if (!hostnamePattern.test(host) && !isIpAddress(host)) throw new UsageError(`${JSON.stringify(host)} is not a host name or IP address`);
  const allowFrom = values["allow-from"]
    ?.split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  return {
    host,
    ...(values.upstream ? { upstream: values.upstream } : {}),
    ...(allowFrom ? { allowFrom } : {}),
    ...(!isIpAddress(host) && !allowFrom ? { resolved: await resolveHostAddresses(host) } : {}),
  };
}

function report(io: CommandIo, json: boolean, shown: string, plan: RecipeChangePlan, outcome: { ok: true; written: boolean }): number {
  if (json) {
    io.stdout(`${JSON.stringify({ ok: true, file: shown, written: outcome.written, changes: plan.changes, todo: plan.todo }, null, 2)}\n`);
    return 0;
  }
  for (const change of plan.changes) io.stderr(`${shown}: ${change}\n`);
  if (plan.edits.length > 0) io.stderr(outcome.written ? `wrote ${shown} (it passes check)\n` : `${shown} not written (--dry-run); the change passes check\n`);
  for (const line of plan.todo) io.stderr(`note: ${line}\n`);
  return 0;
}
