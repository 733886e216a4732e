// Applies recipe edits to a recipe file's text with the editor for its format (by file extension).
import { extname } from "node:path";
import type { ts } from "ts-morph";
import { RecipeEditError, type RecipeEdit } from "./recipe-edits.ts";

/** The recipe formats rtcgw reads and edits. */
export type RecipeFormat = "ts" | "json" | "yaml";

// The format of a recipe file by its extension.
export function recipeFormatOf(fileName: string): RecipeFormat {
  const extension = extname(fileName);
  if ([".ts", ".mts", ".js", ".mjs"].includes(extension)) return "ts";
  if (extension === ".json") return "json";
  if (extension === ".yaml" || extension === ".yml") return "yaml";
  throw new RecipeEditError(`${fileName}: a recipe is a .ts, .json or .yaml file`);
}

// The recipe text with `edits` applied, formatting and comments kept.
export async function editRecipeText(text: string, edits: readonly RecipeEdit[], fileName: string): Promise<string> {
  if (edits.length === 0) return text;
  const format = recipeFormatOf(fileName);
  if (format === "yaml") return (await import("./edit-yaml-text.ts")).editYamlText(text, edits);
  return (await import("./edit-typescript-text.ts")).editTypeScriptText(text, edits, { json: format === "json", fileName });
}

// A TypeScript recipe's imports of rtcgw's DSL by file path (`../dsl/index.ts`) rewritten to the package name.
export async function pointImportsAtPackage(text: string, fileName: string): Promise<string> {
  const { ts: compiler } = await import("ts-morph");
  const file = compiler.createSourceFile(fileName, text, compiler.ScriptTarget.Latest, true, compiler.ScriptKind.TS);
  const specifiers = file.statements
    .filter(compiler.isImportDeclaration)
    .map((declaration) => declaration.moduleSpecifier)
    .filter((specifier): specifier is ts.StringLiteral => compiler.isStringLiteral(specifier) && /(^|\/)dsl\/index\.ts$/.test(specifier.text));
  return specifiers.reduceRight((current, specifier) => `${current.slice(0, specifier.getStart(file))}"rtcgw"${current.slice(specifier.getEnd())}`, text);
}
