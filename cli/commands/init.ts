import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { stringify } from "yaml";
import { pointImportsAtPackage, recipeFormatOf, type RecipeFormat } from "../../dsl/edit/edit-recipe-text.ts";
import { planPbxChange, planValueSet } from "../../dsl/edit/plan-recipe-changes.ts";
import { readRecipePath } from "../../dsl/edit/recipe-edits.ts";
import { loadRecipeFile } from "../../dsl/load-recipe.ts";
import { cidrPattern, hostnamePattern, isIpAddress, namePattern } from "../../dsl/patterns.ts";
import { formatProblem } from "../../dsl/problems.ts";
import { projectRoot } from "../../gateway/render-template.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { displayPath } from "../display-path.ts";
import { writeCheckedRecipe } from "../edit-recipe-file.ts";
import { ExitError, UsageError } from "../errors.ts";
import { defaultRecipePath } from "../recipe-argument.ts";
import { resolveHostAddresses } from "../resolve-host-addresses.ts";
import { isFreshDirectory, writeProjectFiles } from "../write-project-files.ts";

export const initCommand: Command = {
  name: "init",
  help: `Usage: rtcgw init [file] --pbx HOST [--allow-from CIDR,...] [--domain DOMAIN] [--name NAME] [--format ts|json|yaml]

Writes a recipe that reproduces the default gateway (SIP 5060-5069, WSS 443, RTP 10000-11000, video
stripped, conference on * + 8 digits, music, the rest to your PBX; calls end after 90 s until a license
lifts the limit), pointed at your PBX. Never overwrites an existing file.

In an empty directory (or one with only what \`npm install --save-dev rtcgw\` made) it starts a
project: package.json (rtcgw as a dev dependency), tsconfig.json (editors check the recipe with
rtcgw's types) and .gitignore (out/, .rtcgw/, node_modules/), keeping any that exist. In an existing
project it writes only the recipe.

The PBX's calls are accepted from the addresses in allowFrom: HOST itself when it is an IP address,
what a host name resolves to now, or what --allow-from says. init tells you what is still yours to set.

Arguments:
  file                   where to write the recipe; default recipes/gateway.ts (.json/.yaml with --format)

Options:
  --pbx HOST             your PBX's host name or IP address (required)
  --allow-from CIDR,...  the addresses your PBX sends calls from (default: derived from HOST)
  --domain DOMAIN        SIP domain of your users (default: HOST)
  --name NAME            recipe and image name (default rtcgw)
  --format F             ts, json or yaml (default: from the file's extension, else ts)
  -h, --help             show this help
`,
  async run(argv, io) {
    const options = {
      pbx: { type: "string" },
      "allow-from": { type: "string" },
      domain: { type: "string" },
      name: { type: "string" },
      format: { type: "string" },
    } as const;
    const { values, positionals } = parseCommandArgs(argv, options, "init");
    if (positionals.length > 1) throw new UsageError(`expected one file, got ${positionals.length}: ${positionals.join(" ")}`);
    const pbx = values.pbx;
    if (!pbx) throw new UsageError("--pbx HOST is required: the host name or IP address of your PBX");
    if (!hostnamePattern.test(pbx) && !isIpAddress(pbx)) throw new UsageError(`--pbx ${JSON.stringify(pbx)} is not a host name or IP address`);
    const domain = values.domain ?? pbx;
    if (!hostnamePattern.test(domain) && !isIpAddress(domain)) throw new UsageError(`--domain ${JSON.stringify(domain)} is not a host name or IP address`);
    const name = values.name ?? "rtcgw";
    if (!namePattern.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: use lowercase letters, digits and '-', starting with a letter`);
    const allowFrom = values["allow-from"]
      ?.split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    const badCidr = allowFrom?.find((c) => !cidrPattern.test(c));
    if (badCidr !== undefined) throw new UsageError(`--allow-from ${JSON.stringify(badCidr)} is not an address or CIDR (e.g. 192.0.2.10/32)`);
    const format = chooseFormat(positionals[0], values.format);
    const target = resolve(io.cwd, positionals[0] ?? defaultRecipePath.replace(/\.ts$/, `.${format}`));
    const shown = displayPath(io.cwd, target);
    if (existsSync(target)) throw new ExitError(`${shown} already exists: choose another file name (rtcgw init never overwrites)`);

    const fresh = isFreshDirectory(io.cwd);
    // The default recipe, then the same edits `rtcgw recipe set` makes: name, SIP domain, PBX.
    const template = await readDefaultRecipe(format, target);
    const resolved = isIpAddress(pbx) || allowFrom ? undefined : await resolveHostAddresses(pbx);
    const pbxPlan = planPbxChange(template.value, { host: pbx, ...(allowFrom ? { allowFrom } : {}), ...(resolved ? { resolved } : {}) });
    const edits = [
      ...planValueSet(template.value, ["name"], name).edits,
      ...pbxPlan.edits,
      ...planValueSet(template.value, ["gateway", "domains"], [domain]).edits,
    ];
    const outcome = await writeCheckedRecipe(target, { original: template.text, edits }, { cwd: io.cwd, exclusive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") throw new ExitError(`${shown} already exists: choose another file name (rtcgw init never overwrites)`);
        throw error;
      },
    );
    if (!outcome.ok) throw new ExitError(`internal error: the new recipe does not pass check:\n${outcome.problems.map(formatProblem).join("\n")}`, 70);

    const project = await writeProjectFiles(io.cwd, { format, recipe: shown, fresh });
    const accepted = readRecipePath(await loadWrittenValue(target), ["gateway", "upstreams", 0, "allowFrom"]);
    io.stdout(
      `wrote ${shown}: PBX ${pbx}, SIP domain ${domain}, calls accepted from ${Array.isArray(accepted) && accepted.length > 0 ? accepted.join(", ") : "nowhere yet"}\n`,
    );
    for (const line of project.written) io.stdout(`wrote ${line}\n`);
    for (const line of project.kept) io.stdout(`kept ${line}\n`);
    for (const line of project.notes) io.stdout(`note: ${line}\n`);
    for (const line of pbxPlan.todo) io.stdout(`still to set: ${line}\n`);
    const regions = readRecipePath(template.value, ["regions"]);
    io.stdout(
      `still to set, when you publish to AWS: regions (now ${Array.isArray(regions) ? regions.join(", ") : String(regions)}: rtcgw recipe add-region / remove-region) and a license in SSM (gateway.license; without one, calls end after 90 s)\n`,
    );
    const run = project.written.some((line) => line.startsWith("package.json")) ? "npm install, then npx rtcgw" : "npx rtcgw";
    io.stdout(`next: ${run} check ${shown}, then ${run.replace(/^npm install, then /, "")} build-ami ${shown}\n`);
    return 0;
  },
};

async function loadWrittenValue(path: string): Promise<unknown> {
  return (await loadRecipeFile(path)).value;
}

function chooseFormat(file: string | undefined, flag: string | undefined): RecipeFormat {
  if (flag !== undefined && flag !== "ts" && flag !== "json" && flag !== "yaml")
    throw new UsageError(`--format must be ts, json or yaml, got ${JSON.stringify(flag)}`);
  if (!file) return (flag as RecipeFormat | undefined) ?? "ts";
  let fromFile: RecipeFormat;
  try {
    fromFile = recipeFormatOf(file);
  } catch {
    throw new UsageError(`${file}: a recipe is a .ts, .json, .yaml or .yml file (got "${extname(file) || "no extension"}")`);
  }
  if (flag !== undefined && flag !== fromFile) throw new UsageError(`--format ${flag} does not match ${file}: name the file .${flag}, or leave out --format`);
  return fromFile;
}

// The default recipe (recipes/gateway.ts of this package) as text in `format`, with its value.
async function readDefaultRecipe(format: RecipeFormat, target: string): Promise<{ text: string; value: unknown }> {
  const path = join(projectRoot, defaultRecipePath);
  const { value } = await loadRecipeFile(path);
  if (format === "ts") return { text: await pointImportsAtPackage(await readFile(path, "utf8"), path), value };
  if (format === "json") return { text: `${JSON.stringify(value, null, 2)}\n`, value };
  const header = `# ${displayPath(resolve(target, ".."), target)}: a gateway recipe for rtcgw. Every field: \`rtcgw schema\`; check it with \`rtcgw check\`.\n`;
  return { text: header + stringify(value, { lineWidth: 0 }), value };
}
