// Edits to a recipe as data: what `rtcgw recipe ...` and `rtcgw init` change, applied to a file's text
// by the editor for its format (edit-typescript-text.ts, edit-yaml-text.ts), formatting and comments kept.

/** Where in the recipe: keys and array indexes, e.g. `["gateway", "upstreams", 0, "host"]`. */
export type RecipePath = readonly (string | number)[];

/** One change: set a value (creating missing objects), delete a field, append to an array, or remove an array element. */
export type RecipeEdit =
  | { kind: "set"; path: RecipePath; value: unknown }
  | { kind: "delete"; path: RecipePath }
  | { kind: "append"; path: RecipePath; value: unknown }
  | { kind: "remove"; path: RecipePath; index: number };

/** An edit the text cannot take (a value built by code, a spread, a missing array). */
export class RecipeEditError extends Error {
  constructor(
    message: string,
    readonly location?: { line: number; column: number },
  ) {
    super(message);
  }
}

// Parses `gateway.upstreams[0].host` or `gateway.upstreams.0.host` into keys and indexes.
export function parseRecipePath(text: string): RecipePath {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\.\d+|\[\d+\])*$/.test(text)) {
    throw new RecipeEditError(`"${text}" is not a recipe path: write keys with dots and indexes in brackets, e.g. gateway.upstreams[0].host or regions`);
  }
  return text.split(/\.|(?=\[)/).map((part) => (/^\[?\d+\]?$/.test(part) ? Number(part.replace(/[[\]]/g, "")) : part));
}

// Reads a command-line value: JSON when it parses (numbers, booleans, arrays, objects, quoted strings), else the text.
export function parseRecipeValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// The value at `path` in a plain recipe value, or undefined.
export function readRecipePath(recipe: unknown, path: RecipePath): unknown {
  let value: unknown = recipe;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
