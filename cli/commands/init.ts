import { readFile, rm } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { hostnamePattern, isIpAddress, namePattern } from "../../dsl/patterns.ts";
import { formatProblem } from "../../dsl/problems.ts";
import { projectRoot } from "../../gateway/render-template.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { displayPath } from "../display-path.ts";
import { ExitError, UsageError } from "../errors.ts";
import { defaultRecipePath } from "../recipe-argument.ts";
import { writeFileAtomic } from "../../io/write-file-atomic.ts";

export const initCommand: Command = {
  name: "init",
  summary: "write a new recipe from the default one, pointed at your PBX",
  help: `Usage: rtcgw init [file] --pbx HOST [--domain DOMAIN] [--name NAME]

Writes a recipe that reproduces the default gateway (SIP 5060-5069, WSS 443, RTP 10000-11000,
video stripped, 90 s calls, conference on * + 8 digits, music, the rest to your PBX).
Never overwrites an existing file.

Arguments:
  file             where to write it; default recipes/gateway.ts

Options:
  --pbx HOST       your PBX's host name or IP address (required)
  --domain DOMAIN  SIP domain of your users (default: HOST)
  --name NAME      recipe and image name (default rtcgw)
  -h, --help       show this help
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { pbx: { type: "string" }, domain: { type: "string" }, name: { type: "string" } }, "init");
    const pbx = values.pbx;
    if (!pbx) throw new UsageError("--pbx HOST is required: the host name or IP address of your PBX");
    if (!hostnamePattern.test(pbx) && !isIpAddress(pbx)) throw new UsageError(`--pbx ${JSON.stringify(pbx)} is not a host name or IP address`);
    const domain = values.domain ?? pbx;
    if (!hostnamePattern.test(domain) && !isIpAddress(domain)) throw new UsageError(`--domain ${JSON.stringify(domain)} is not a host name or IP address`);
    const name = values.name ?? "rtcgw";
    if (!namePattern.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: use lowercase letters, digits and '-', starting with a letter`);

    const target = resolve(io.cwd, positionals[0] ?? defaultRecipePath);
    const text = await renderNewRecipe(target, { pbx, domain, name });
    try {
      await writeFileAtomic(target, text, { exclusive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new ExitError(`${displayPath(io.cwd, target)} already exists: choose another file name (rtcgw init never overwrites)`);
      throw error;
    }
    const checked = await checkRecipeFile(target, { cwd: io.cwd });
    if (!checked.ok) {
      await rm(target, { force: true });
      throw new ExitError(`internal error: the new recipe does not validate:\n${checked.problems.map(formatProblem).join("\n")}`, 70);
    }
    const shown = displayPath(io.cwd, target);
    io.stdout(`wrote ${shown}: next, \`rtcgw check ${shown}\` then \`rtcgw build-ami ${shown}\`\n`);
    return 0;
  },
};

// The default recipe's text with the PBX, domain and name replaced and the import pointed at the DSL.
async function renderNewRecipe(target: string, settings: { pbx: string; domain: string; name: string }): Promise<string> {
  let text = await readFile(resolve(projectRoot, defaultRecipePath), "utf8");
  let dslImport = relative(dirname(target), resolve(projectRoot, "dsl/index.ts"));
  if (!dslImport.startsWith(".")) dslImport = `./${dslImport}`;
  text = text.replace(/from "[^"]*dsl\/index\.ts"/, `from ${JSON.stringify(dslImport)}`);
  text = text.replace(/name: "rtcgw"/, `name: ${JSON.stringify(settings.name)}`);
  text = text.replace(/domains: \["pbx\.example\.com"\]/, `domains: [${JSON.stringify(settings.domain)}]`);
  const allowFrom = isIpAddress(settings.pbx) ? `allowFrom: [${JSON.stringify(settings.pbx.includes(":") ? `${settings.pbx}/128` : `${settings.pbx}/32`)}]` : "allowFrom: [] /* add your PBX's source addresses (CIDR): calls from it are refused until then */";
  text = text.replace(/host: "pbx\.example\.com"(.*?)allowFrom: \[[^\]]*\]/, `host: ${JSON.stringify(settings.pbx)}$1${allowFrom}`);
  return text;
}
