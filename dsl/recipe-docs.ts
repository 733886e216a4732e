import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The recipe's documentation, read from the one place it is written: the TSDoc of dsl/types.ts. The JSON Schema
// (`rtcgw schema`) carries it as descriptions, defaults and examples, and a test holds every `@default` to the
// default the schema applies.

/** One documented field. `path` is dotted; `[]` is an array item, `[kind=x]` the union member whose kind is x. */
export interface FieldDoc {
  path: string;
  description: string;
  /** The `@default` text as written (a literal, maybe followed by prose, or prose only). */
  defaultText?: string;
  examples: string[];
}

const typesFile = join(dirname(fileURLToPath(import.meta.url)), "types.ts");

// Every documented field of RecipeInput, in declaration order.
export async function readRecipeDocs(): Promise<FieldDoc[]> {
  const { ts } = await import("ts-morph");
  const source = ts.createSourceFile(typesFile, readFileSync(typesFile, "utf8"), ts.ScriptTarget.ES2022, true);
  const declarations = new Map<string, import("ts-morph").ts.Node>();
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) declarations.set(statement.name.text, statement);
  }
  const docs: FieldDoc[] = [];
  const visiting = new Set<string>();

  const walkMembers = (members: readonly import("ts-morph").ts.TypeElement[], path: string) => {
    for (const member of members) {
      if (!ts.isPropertySignature(member) || !member.name || !ts.isIdentifier(member.name)) continue;
      const fieldPath = path ? `${path}.${member.name.text}` : member.name.text;
      const doc = readJsDoc(ts, member, fieldPath);
      if (doc) docs.push(doc);
      if (member.type) walkType(member.type, fieldPath);
    }
  };
  const walkType = (node: import("ts-morph").ts.TypeNode, path: string): void => {
    if (ts.isParenthesizedTypeNode(node) || (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword)) return walkType(node.type, path);
    if (ts.isArrayTypeNode(node)) return walkType(node.elementType, `${path}[]`);
    if (ts.isTypeLiteralNode(node)) return walkMembers(node.members, path);
    if (ts.isUnionTypeNode(node)) {
      for (const member of node.types) {
        const kind = ts.isTypeLiteralNode(member) ? kindOf(ts, member) : undefined;
        walkType(member, kind ? `${path}[kind=${kind}]` : path);
      }
      return;
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
      const name = node.typeName.text;
      const declaration = declarations.get(name);
      if (!declaration || visiting.has(name)) return;
      visiting.add(name);
      if (ts.isInterfaceDeclaration(declaration)) walkMembers(declaration.members, path);
      else if (ts.isTypeAliasDeclaration(declaration)) walkType(declaration.type, path);
      visiting.delete(name);
    }
  };
  const root = declarations.get("RecipeInput");
  if (!root || !ts.isInterfaceDeclaration(root)) throw new Error("dsl/types.ts has no RecipeInput interface");
  walkMembers(root.members, "");
  return docs;
}

function kindOf(ts: typeof import("ts-morph").ts, literal: import("ts-morph").ts.TypeLiteralNode): string | undefined {
  for (const member of literal.members) {
    if (
      ts.isPropertySignature(member) &&
      member.name &&
      ts.isIdentifier(member.name) &&
      member.name.text === "kind" &&
      member.type &&
      ts.isLiteralTypeNode(member.type) &&
      ts.isStringLiteral(member.type.literal)
    ) {
      return member.type.literal.text;
    }
  }
  return undefined;
}

function readJsDoc(ts: typeof import("ts-morph").ts, node: import("ts-morph").ts.Node, path: string): FieldDoc | undefined {
  const jsDocs = (node as { jsDoc?: import("ts-morph").ts.JSDoc[] }).jsDoc;
  if (!jsDocs?.length) return undefined;
  const doc = jsDocs.at(-1)!;
  const text = (comment: string | import("ts-morph").ts.NodeArray<import("ts-morph").ts.JSDocComment> | undefined) =>
    (typeof comment === "string" ? comment : (ts.getTextOfJSDocComment(comment) ?? "")).replace(/\s+/g, " ").trim();
  const tags = doc.tags ?? [];
  const defaultTag = tags.find((tag) => tag.tagName.text === "default");
  return {
    path,
    description: text(doc.comment),
    ...(defaultTag ? { defaultText: text(defaultTag.comment) } : {}),
    examples: tags.filter((tag) => tag.tagName.text === "example").map((tag) => text(tag.comment)),
  };
}

/** A `@default` split into its leading literal (a value) and the prose after it; `literal` is absent for prose only. */
export interface ParsedDefault {
  literal?: unknown;
  prose: string;
}

// Reads the literal at the start of a `@default` text: an object, array, string, number or boolean (JS syntax).
export function parseDefaultText(text: string): ParsedDefault {
  const end = literalEnd(text);
  if (end === undefined) return { prose: text };
  try {
    const literal: unknown = new Function(`return (${text.slice(0, end)});`)();
    return { literal, prose: text.slice(end).trim() };
  } catch {
    return { prose: text };
  }
}

function literalEnd(text: string): number | undefined {
  const first = text[0];
  if (first === "{" || first === "[") {
    let depth = 0;
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return undefined;
  }
  if (first === '"') {
    const close = text.indexOf('"', 1);
    return close > 0 ? close + 1 : undefined;
  }
  const token = /^(?:true|false|-?[0-9]+(?:\.[0-9]+)?)(?![A-Za-z0-9])/.exec(text);
  return token ? token[0].length : undefined;
}
