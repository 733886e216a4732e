// Applies recipe edits to a TypeScript or JSON recipe's text with TypeScript's parser (from ts-morph):
// each edit finds the literal it changes and splices only that text, so every other byte — comments,
// quotes, indentation, trailing commas, line breaks — stays as the author wrote it.
import { ts } from "ts-morph";
import { RecipeEditError, type RecipeEdit, type RecipePath } from "./recipe-edits.ts";
import { formatPath } from "../problems.ts";
import { detectIndentUnit, printJsonInline, printJsonValue, printTypeScriptValue } from "./print-value.ts";

interface TextChange {
  start: number;
  end: number;
  text: string;
}

interface Parsed {
  file: ts.SourceFile;
  root: ts.ObjectLiteralExpression;
}

interface Style {
  json: boolean;
  quote: string;
  indentUnit: string;
}

// The text with `edits` applied in order; `json` for .json recipes.
export function editTypeScriptText(text: string, edits: readonly RecipeEdit[], options: { json: boolean; fileName: string }): string {
  return edits.reduce((current, edit) => {
    const parsed = parse(current, options);
    return applyChanges(current, planEdit(parsed, edit, styleOf(parsed, options.json)));
  }, text);
}

// New strings take the quote of the recipe's first string; new lines its indentation step.
function styleOf(parsed: Parsed, json: boolean): Style {
  const findString = (node: ts.Node): ts.StringLiteral | undefined => (ts.isStringLiteral(node) ? node : ts.forEachChild(node, findString));
  const quote = json ? '"' : (findString(parsed.root)?.getText(parsed.file)[0] ?? '"');
  return { json, quote, indentUnit: detectIndentUnit(parsed.file.text) };
}

function parse(text: string, options: { json: boolean; fileName: string }): Parsed {
  const file = options.json
    ? ts.parseJsonText(options.fileName, text)
    : ts.createSourceFile(options.fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0)
    throw new RecipeEditError(
      `the recipe does not parse: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, " ")}`,
      where(file, diagnostics[0]!.start ?? 0),
    );
  const top = options.json
    ? (file.statements[0] as ts.ExpressionStatement | undefined)?.expression
    : file.statements.find((s): s is ts.ExportAssignment => ts.isExportAssignment(s) && !s.isExportEquals)?.expression;
  if (!top) throw new RecipeEditError(options.json ? "the JSON recipe is empty" : "the recipe has no `export default defineRecipe({ ... })`");
  const root = followToLiteral(top, file);
  if (!ts.isObjectLiteralExpression(root))
    throw new RecipeEditError(
      `the recipe's default export is ${describe(root, file)}, not an object literal: edit it by hand`,
      where(file, root.getStart(file)),
    );
  return { file, root };
}

// Looks through parentheses, `as`/`satisfies`, a `defineRecipe(...)` call and `const` names to the literal.
function followToLiteral(start: ts.Expression, file: ts.SourceFile): ts.Expression {
  let node = start;
  for (let hops = 0; hops < 20; hops++) {
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) node = node.expression;
    else if (ts.isCallExpression(node) && node.arguments.length === 1) node = node.arguments[0]!;
    else if (ts.isIdentifier(node)) {
      const declaration = findConstDeclaration(file, node.text);
      if (!declaration?.initializer) return node;
      node = declaration.initializer;
    } else return node;
  }
  return node;
}

function findConstDeclaration(file: ts.SourceFile, name: string): ts.VariableDeclaration | undefined {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const)) continue;
    const found = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
    if (found) return found;
  }
  return undefined;
}

/** How far a path reaches into the literal: the value at its end, or the object where a key is missing. */
type Located =
  | { found: true; node: ts.Expression; property?: ts.ObjectLiteralElementLike; object?: ts.ObjectLiteralExpression }
  | { found: false; object: ts.ObjectLiteralExpression; missing: RecipePath };

function locate(parsed: Parsed, path: RecipePath): Located {
  let node: ts.Expression = parsed.root;
  let owner: { property: ts.ObjectLiteralElementLike; object: ts.ObjectLiteralExpression } | undefined;
  for (const [depth, key] of path.entries()) {
    owner = undefined;
    node = followToLiteral(node, parsed.file);
    const here = formatPath(path.slice(0, depth)) || "the recipe";
    if (ts.isObjectLiteralExpression(node) && typeof key === "string") {
      const property = node.properties.find((p) => p.name !== undefined && propertyName(p.name) === key);
      if (property && (ts.isPropertyAssignment(property) || ts.isShorthandPropertyAssignment(property))) {
        owner = { property, object: node };
        node = ts.isPropertyAssignment(property) ? property.initializer : property.name;
      } else if (property)
        throw new RecipeEditError(
          `${formatPath(path.slice(0, depth + 1))} is a method or accessor: edit it by hand`,
          where(parsed.file, property.getStart(parsed.file)),
        );
      else {
        const spread = node.properties.find(ts.isSpreadAssignment);
        if (spread)
          throw new RecipeEditError(
            `${here} takes fields from a spread (${spread.getText(parsed.file)}): rtcgw cannot tell whether it sets "${key}"; edit it by hand`,
            where(parsed.file, spread.getStart(parsed.file)),
          );
        return { found: false, object: node, missing: path.slice(depth) };
      }
    } else if (ts.isArrayLiteralExpression(node) && typeof key === "number") {
      const spread = node.elements.slice(0, key + 1).find(ts.isSpreadElement);
      if (spread)
        throw new RecipeEditError(
          `${here} has a spread (${spread.getText(parsed.file)}): rtcgw cannot tell which element is [${key}]; edit it by hand`,
          where(parsed.file, spread.getStart(parsed.file)),
        );
      if (key >= node.elements.length)
        throw new RecipeEditError(`${here} has ${node.elements.length} element(s): there is no [${key}]`, where(parsed.file, node.getStart(parsed.file)));
      node = node.elements[key]!;
    } else {
      const expected = typeof key === "number" ? "an array literal" : "an object literal";
      throw new RecipeEditError(
        `${here} is ${describe(node, parsed.file)}, not ${expected}: rtcgw edits literal values only; edit it by hand`,
        where(parsed.file, node.getStart(parsed.file)),
      );
    }
  }
  return { found: true, node, ...owner };
}

function planEdit(parsed: Parsed, edit: RecipeEdit, style: Style): TextChange[] {
  const located = locate(parsed, edit.path);
  if (edit.kind === "set" || (edit.kind === "append" && !located.found)) {
    const value = edit.kind === "set" ? edit.value : [edit.value];
    if (located.found) {
      const shorthand = located.property && ts.isShorthandPropertyAssignment(located.property) ? located.property : undefined;
      const target = shorthand ?? located.node;
      const inline = !located.node.getText(parsed.file).includes("\n");
      const printed = print(value, style, lineIndent(parsed.file.text, target.getStart(parsed.file)), inline);
      return [{ start: target.getStart(parsed.file), end: target.getEnd(), text: shorthand ? `${shorthand.name.text}: ${printed}` : printed }];
    }
    return insertProperty(parsed, located.object, located.missing, value, style);
  }
  if (edit.kind === "delete") return located.found ? deleteProperty(parsed, located, edit.path) : [];
  if (!located.found) throw new RecipeEditError(`${formatPath(edit.path)} is not in the recipe: nothing to remove`);
  const array = followToLiteral(located.node, parsed.file);
  if (!ts.isArrayLiteralExpression(array))
    throw new RecipeEditError(
      `${formatPath(edit.path)} is ${describe(array, parsed.file)}, not an array literal: edit it by hand`,
      where(parsed.file, array.getStart(parsed.file)),
    );
  if (edit.kind === "append") return insertItem(parsed.file, array, array.elements, (indent, inline) => print(edit.value, style, indent, inline));
  const spread = array.elements.slice(0, edit.index + 1).find(ts.isSpreadElement);
  if (spread || edit.index >= array.elements.length)
    throw new RecipeEditError(`${formatPath(edit.path)} has no literal element [${edit.index}] to remove`, where(parsed.file, array.getStart(parsed.file)));
  return removeItem(parsed.file, array.elements, edit.index);
}

// Removes a property from its object literal, with its comma.
function deleteProperty(parsed: Parsed, located: Extract<Located, { found: true }>, path: RecipePath): TextChange[] {
  if (!located.property || !located.object)
    throw new RecipeEditError(
      `${formatPath(path)} is not a field of an object literal: edit it by hand`,
      where(parsed.file, located.node.getStart(parsed.file)),
    );
  return removeItem(parsed.file, located.object.properties, located.object.properties.indexOf(located.property));
}

// Adds `key: value` for the first missing key, with any further missing keys as nested objects.
function insertProperty(parsed: Parsed, object: ts.ObjectLiteralExpression, missing: RecipePath, value: unknown, style: Style): TextChange[] {
  if (missing.some((key) => typeof key === "number"))
    throw new RecipeEditError(`${formatPath(missing)}: rtcgw does not create array elements by index; add the array first`);
  const [key, ...rest] = missing as string[];
  const nested = rest.reduceRight<unknown>((inner, name) => ({ [name]: inner }), value);
  const printKey = style.json || !/^[A-Za-z_$][\w$]*$/.test(key!) ? JSON.stringify(key) : key!;
  const text = (indent: string, inline: boolean) => `${printKey}: ${print(nested, style, indent, inline)}`;
  if (object.properties.length === 0) {
    const indent = lineIndent(parsed.file.text, object.getStart(parsed.file));
    const body = style.json ? `{\n${indent}${style.indentUnit}${text(indent + style.indentUnit, false)}\n${indent}}` : `{ ${text(indent, true)} }`;
    return [{ start: object.getStart(parsed.file), end: object.getEnd(), text: body }];
  }
  return insertItem(parsed.file, object, object.properties, text);
}

// Inserts an item after the last one of an object or array literal, in the literal's own layout: on a new
// line with the same indentation (after any comment that ends the last line) or inline after `, `.
function insertItem(
  file: ts.SourceFile,
  container: ts.Node,
  items: ts.NodeArray<ts.Node>,
  printItem: (indent: string, inline: boolean) => string,
): TextChange[] {
  const text = file.text;
  const last = items.at(-1);
  if (!last) {
    const open = container.getStart(file);
    return [{ start: open + 1, end: container.getEnd() - 1, text: printItem(lineIndent(text, open), true) }];
  }
  const comma = /^[ \t]*,/.exec(text.slice(last.getEnd()));
  const afterItem = last.getEnd() + (comma ? comma[0].length : 0);
  if (lineOf(file, items[0]!.getStart(file)) === lineOf(file, container.getStart(file))) {
    return [{ start: afterItem, end: afterItem, text: comma ? ` ${printItem("", true)},` : `, ${printItem("", true)}` }];
  }
  const indent = lineIndent(text, last.getStart(file));
  const lineEnd = text.indexOf("\n", afterItem);
  const restOfLine = lineEnd === -1 ? "" : text.slice(afterItem, lineEnd);
  const at = lineEnd !== -1 && /^\s*(\/\/.*|\/\*.*?\*\/\s*)*$/.test(restOfLine) ? lineEnd : afterItem;
  const changes: TextChange[] = [{ start: at, end: at, text: `\n${indent}${printItem(indent, false)}${comma ? "," : ""}` }];
  if (!comma) changes.unshift({ start: last.getEnd(), end: last.getEnd(), text: "," });
  return changes;
}

// Removes one element with its comma; an element alone on its line(s) takes that whole line (and the
// comment at its end) with it.
function removeItem(file: ts.SourceFile, items: ts.NodeArray<ts.Node>, index: number): TextChange[] {
  const text = file.text;
  const item = items[index]!;
  const start = item.getStart(file);
  const comma = /^[ \t]*,/.exec(text.slice(item.getEnd()));
  const afterItem = item.getEnd() + (comma ? comma[0].length : 0);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const lineEnd = text.indexOf("\n", afterItem);
  const aloneOnLine = /^[ \t]*$/.test(text.slice(lineStart, start)) && lineEnd !== -1 && /^\s*(\/\/.*|\/\*.*?\*\/\s*)*$/.test(text.slice(afterItem, lineEnd));
  if (aloneOnLine && index > 0 && lineOf(file, items[index - 1]!.getEnd()) < lineOf(file, start)) {
    const changes: TextChange[] = [{ start: lineStart, end: lineEnd + 1, text: "" }];
    const previous = items[index - 1]!;
    const previousComma = /^[ \t]*,/.exec(text.slice(previous.getEnd()));
    if (index === items.length - 1 && !comma && previousComma)
      changes.push({ start: previous.getEnd(), end: previous.getEnd() + previousComma[0].length, text: "" });
    return changes;
  }
  if (aloneOnLine && index === 0 && (items.length === 1 || lineOf(file, items[1]!.getStart(file)) > lineOf(file, afterItem))) {
    return [{ start: lineStart, end: lineEnd + 1, text: "" }];
  }
  if (items.length === 1) return [{ start, end: afterItem, text: "" }];
  if (index < items.length - 1) return [{ start, end: items[index + 1]!.getStart(file), text: "" }];
  return [{ start: items[index - 1]!.getEnd(), end: item.getEnd(), text: "" }];
}

// TypeScript values print on one line; JSON on one line where it replaces or joins a one-line value, else laid out.
function print(value: unknown, style: Style, indent: string, inline: boolean): string {
  if (!style.json) return printTypeScriptValue(value, style.quote);
  return inline ? printJsonInline(value) : printJsonValue(value, style.indentUnit, indent);
}

// Applies changes from the end of the text backwards; of two at one position, the first listed ends up first.
function applyChanges(text: string, changes: TextChange[]): string {
  return changes
    .map((change, order) => ({ ...change, order }))
    .sort((a, b) => b.start - a.start || b.order - a.order)
    .reduce((current, c) => current.slice(0, c.start) + c.text + current.slice(c.end), text);
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : undefined;
}

function lineIndent(text: string, position: number): string {
  const lineStart = text.lastIndexOf("\n", position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function lineOf(file: ts.SourceFile, position: number): number {
  return file.getLineAndCharacterOfPosition(position).line;
}

function where(file: ts.SourceFile, position: number): { line: number; column: number } {
  const { line, character } = file.getLineAndCharacterOfPosition(position);
  return { line: line + 1, column: character + 1 };
}

function describe(node: ts.Node, file: ts.SourceFile): string {
  if (ts.isIdentifier(node)) return `the name \`${node.text}\` (not a const in this file)`;
  if (ts.isCallExpression(node)) return "a function call";
  if (ts.isObjectLiteralExpression(node)) return "an object";
  if (ts.isArrayLiteralExpression(node)) return "an array";
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node)) return `the value ${node.getText(file)}`;
  return `an expression (${ts.SyntaxKind[node.kind]})`;
}
