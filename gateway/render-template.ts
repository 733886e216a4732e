import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

// One handlebars environment for every config template: no HTML escaping (configs are not HTML),
// strict (a missing value is an error, not an empty string), and only the helpers registered here.
// Values are restricted by the recipe schema; helpers quote them in the target file's syntax.
const handlebars = Handlebars.create();

const helpers: Record<string, Handlebars.HelperDelegate> = {
  /** A Kamailio double-quoted string literal. */
  kamailioString: (value: unknown) => `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
  /** Items joined with a separator: `{{join list ", "}}`. */
  join: (list: unknown[], separator: unknown) => list.join(typeof separator === "string" ? separator : ","),
  eq: (a: unknown, b: unknown) => a === b,
  /** A POSIX shell single-quoted word. */
  shellQuote: (value: unknown) => `'${String(value).replace(/'/g, "'\\''")}'`,
};
for (const [name, helper] of Object.entries(helpers)) handlebars.registerHelper(name, helper);
const knownHelpers = Object.fromEntries(Object.keys(helpers).map((name) => [name, true]));

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** The repository root, found from this file (works from source and from the bundled CLI). */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "rtcgw") return dir;
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the rtcgw package root above ${start}`);
    dir = parent;
  }
}

// Renders a template file (path relative to the project root) with a typed context.
export function renderTemplate<Context extends object>(templatePath: string, context: Context): string {
  let template = cache.get(templatePath);
  if (!template) {
    const source = readFileSync(join(projectRoot, templatePath), "utf8");
    template = handlebars.compile(source, { noEscape: true, strict: true, knownHelpers, knownHelpersOnly: true });
    cache.set(templatePath, template);
  }
  return template(context);
}
