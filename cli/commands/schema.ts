import { resolve } from "node:path";
import { writeFileAtomic } from "../../io/write-file-atomic.ts";
import { recipeJsonSchema } from "../../dsl/json-schema.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";

export const schemaCommand: Command = {
  name: "schema",
  help: `Usage: rtcgw schema [--out FILE]

Prints the JSON Schema of a recipe (draft 2020-12), generated from the same zod schema that
validates recipes. Point your editor's YAML/JSON language server at it.

Options:
  --out FILE    write it to FILE instead of stdout
  -h, --help    show this help
`,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { out: { type: "string" } }, "schema");
    const text = `${JSON.stringify(await recipeJsonSchema(), null, 2)}\n`;
    if (!values.out) {
      io.stdout(text);
      return 0;
    }
    await writeFileAtomic(resolve(io.cwd, values.out), text);
    io.stdout(`wrote ${values.out}\n`);
    return 0;
  },
};
