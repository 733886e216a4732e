import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "./errors.ts";

export const defaultRecipePath = "recipes/gateway.ts";

// The recipe a command works on: the positional argument, or recipes/gateway.ts in the current directory.
export function resolveRecipeArgument(positionals: string[], cwd: string, command: string): string {
  if (positionals.length > 1) throw new UsageError(`expected one recipe, got ${positionals.length}: ${positionals.join(" ")}; see \`rtcgw ${command} --help\``);
  const given = positionals[0];
  const path = resolve(cwd, given ?? defaultRecipePath);
  if (!given && !existsSync(path)) {
    throw new UsageError(`no recipe given and ${defaultRecipePath} does not exist here: pass a recipe file, or create one with \`rtcgw init --pbx HOST\``);
  }
  return path;
}
