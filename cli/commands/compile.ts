import { resolve } from "node:path";
import { displayPath } from "../display-path.ts";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { assembleBundle } from "../../image/assemble-bundle.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { printProblems } from "../print-problems.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { writeOutputTree } from "../write-output-tree.ts";

export const compileCommand: Command = {
  name: "compile",
  help: `Usage: rtcgw compile [recipe] [--out DIR] [--json]

Validates the recipe (schema and rules; run \`rtcgw check\` for the type-check too) and writes the
provisioning bundle: provision.sh, bundle.json (with the content hash) and files/ holding every
generated config (Kamailio, rtpengine, nftables, sshd, sysctl, systemd) at its path in the image.
Output is deterministic: the same recipe gives a byte-identical tree. The directory is replaced as a
whole; a failing compile leaves the previous output untouched.

Arguments:
  recipe        recipe file; default recipes/gateway.ts

Options:
  --out DIR     output directory (default out/<recipe name>/bundle)
  --json        print the result as JSON on stdout
  -h, --help    show this help
`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { out: { type: "string" }, json: { type: "boolean" } }, "compile");
    const path = resolveRecipeArgument(positionals, io.cwd, "compile");
    const checked = await checkRecipeFile(path, { cwd: io.cwd });
    if (!checked.ok) {
      printProblems(io, checked.problems, Boolean(values.json));
      return 1;
    }
    const bundle = await assembleBundle(checked.recipe, path);
    const out = resolve(io.cwd, values.out ?? `out/${checked.recipe.name}/bundle`);
    await writeOutputTree(out, bundle.files);
    const shownOut = displayPath(io.cwd, out);
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, out: shownOut, hash: bundle.hash, files: bundle.files.map((f) => f.path) }, null, 2)}\n`);
    else io.stdout(`compiled ${displayPath(io.cwd, path)} → ${shownOut}/ (${bundle.files.length} files, bundle sha256:${bundle.hash.slice(0, 16)})\n`);
    return 0;
  },
};
