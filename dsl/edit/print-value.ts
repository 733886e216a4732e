// Prints a plain value as recipe source: TypeScript inline (`{ name: "pbx", port: 5060 }`, the file's
// quote), JSON in the file's indentation.

// The file's indentation step: a tab, or the smallest indentation of an indented line (2 when none is).
export function detectIndentUnit(text: string): string {
  const indents = text
    .split("\n")
    .map((line) => /^([ \t]+)\S/.exec(line)?.[1])
    .filter((indent): indent is string => indent !== undefined);
  if (indents.some((indent) => indent.startsWith("\t"))) return "\t";
  const width = Math.min(...indents.map((indent) => indent.length));
  return " ".repeat(Number.isFinite(width) ? width : 2);
}

// A TypeScript expression for `value`, on one line; strings in `quote` (" or ').
export function printTypeScriptValue(value: unknown, quote = '"'): string {
  if (typeof value === "string")
    return quote === "'" ? `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'` : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => printTypeScriptValue(item, quote)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(
      ([key, item]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${printTypeScriptValue(item, quote)}`,
    );
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value) ?? "undefined";
}

// JSON for `value` laid out as JSON.stringify does with the file's indent step, continuing at `indent`.
export function printJsonValue(value: unknown, indentUnit: string, indent: string): string {
  return JSON.stringify(value, null, indentUnit).replace(/\n/g, `\n${indent}`);
}

// JSON for `value` on one line: `["a", "b"]`, `{"name": "pbx", "port": 5060}`.
export function printJsonInline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(printJsonInline).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${printJsonInline(item)}`)
      .join(", ")}}`;
  return JSON.stringify(value) ?? "null";
}
