import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

// Parses a command's flags; unknown flags and missing values become usage errors naming the flag.
export function parseCommandArgs<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options: { help: { type: "boolean", short: "h" }, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/^.*?: /, "")}; see \`rtcgw ${command} --help\``);
  }
}
