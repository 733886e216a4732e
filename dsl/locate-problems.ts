import type { Problem, SourceLocation } from "./problems.ts";

type Segments = readonly (string | number)[];
type Locator = (segments: Segments, pointAtKey: boolean) => SourceLocation | undefined;

// Gives every problem a file:line:col by following its recipe path through the source (a field's name, an
// array item's start): the object
// literal in `export default defineRecipe({...})` (also through consts declared in the same file),
// a JSON document, or a YAML document.
export async function locateProblems(problems: readonly Problem[], file: string, source: string, shownPath: string): Promise<Problem[]> {
  if (problems.every((p) => p.location)) return [...problems];
  const locate = file.endsWith(".yaml") || file.endsWith(".yml") ? await yamlLocator(source, shownPath) : await typescriptLocator(file, source, shownPath);
  return problems.map((problem) => {
    if (problem.location) return problem;
    // Like tsc, a problem with a field points at the field's name, so check (with tsc) and compile (without) agree.
    const location = locate(problem.segments, typeof problem.segments.at(-1) === "string");
    return location ? { ...problem, location } : { ...problem, location: { file: shownPath, line: 1, column: 1 } };
  });
}

async function typescriptLocator(file: string, source: string, shownPath: string): Promise<Locator> {
  const { ts } = await import("ts-morph");
  const isJson = file.endsWith(".json");
  const sourceFile = isJson ? ts.parseJsonText(file, source) : ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const at = (node: import("ts-morph").ts.Node): SourceLocation => {
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
    return { file: shownPath, line: line + 1, column: character + 1 };
  };

  const unwrap = (node: import("ts-morph").ts.Node | undefined): import("ts-morph").ts.Node | undefined => {
    let current = node;
    for (let depth = 0; current && depth < 20; depth++) {
      if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current))
        current = current.expression;
      else if (ts.isCallExpression(current) && current.arguments.length === 1) current = current.arguments[0];
      else if (ts.isIdentifier(current)) current = findConstInitializer(current.text) ?? undefined;
      else return current;
    }
    return current;
  };
  const findConstInitializer = (name: string): import("ts-morph").ts.Expression | undefined => {
    for (const statement of sourceFile.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
      }
    }
    return undefined;
  };
  const root = (): import("ts-morph").ts.Node | undefined => {
    if (isJson) return (sourceFile as import("ts-morph").ts.JsonSourceFile).statements[0]?.expression;
    for (const statement of sourceFile.statements) {
      if (ts.isExportAssignment(statement)) return unwrap(statement.expression);
    }
    return undefined;
  };

  return (segments, pointAtKey) => {
    let node = unwrap(root());
    if (!node) return undefined;
    let best: SourceLocation = at(node);
    for (const [index, segment] of segments.entries()) {
      const last = index === segments.length - 1;
      if (ts.isObjectLiteralExpression(node) && typeof segment === "string") {
        const property = node.properties.find((p) => p.name && propertyName(ts, p.name) === segment);
        if (!property) return best;
        if (ts.isPropertyAssignment(property)) {
          if (last && pointAtKey) return at(property.name);
          node = unwrap(property.initializer);
        } else if (ts.isShorthandPropertyAssignment(property)) {
          if (last) return at(property.name);
          node = unwrap(property.name);
        } else return at(property);
      } else if (ts.isArrayLiteralExpression(node) && typeof segment === "number") {
        node = unwrap(node.elements[segment]);
      } else return best;
      if (!node) return best;
      best = at(node);
    }
    return best;
  };
}

function propertyName(ts: typeof import("ts-morph").ts, name: import("ts-morph").ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

async function yamlLocator(source: string, shownPath: string): Promise<Locator> {
  const { LineCounter, parseDocument, isNode, isPair, isMap } = await import("yaml");
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, keepSourceTokens: true });
  return (segments, pointAtKey) => {
    for (let length = segments.length; length >= 0; length--) {
      const path = segments.slice(0, length);
      let target: unknown = length === 0 ? document.contents : document.getIn(path, true);
      if (pointAtKey && length === segments.length && length > 0) {
        const parent = document.getIn(path.slice(0, -1), true);
        if (isMap(parent))
          target =
            parent.items.find((item) => isPair(item) && isNode(item.key) && String((item.key as { value: unknown }).value) === String(path.at(-1)))?.key ??
            target;
      }
      if (isNode(target) && target.range) {
        const { line, col } = lineCounter.linePos(target.range[0]);
        return { file: shownPath, line, column: col };
      }
    }
    return undefined;
  };
}
