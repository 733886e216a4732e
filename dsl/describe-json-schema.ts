import { parseDefaultText, type FieldDoc } from "./recipe-docs.ts";

type JsonSchemaNode = {
  [key: string]: unknown;
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
};

// Adds each documented field's description, default and examples (dsl/types.ts TSDoc) to the recipe's JSON Schema, in place.
export function describeJsonSchema(schema: JsonSchemaNode, docs: readonly FieldDoc[]): void {
  for (const doc of docs) {
    for (const node of findNodes(schema, tokenize(doc.path))) {
      const parsed = doc.defaultText === undefined ? undefined : parseDefaultText(doc.defaultText);
      const defaultSentence = doc.defaultText === undefined ? "" : ` Default: ${doc.defaultText}.`;
      node.description = `${doc.description}${defaultSentence}`.trim();
      if (parsed && "literal" in parsed && !("default" in node)) node.default = parsed.literal;
      const examples = doc.examples
        .map((text) => parseDefaultText(text))
        .filter((e) => "literal" in e)
        .map((e) => e.literal);
      if (examples.length > 0) node.examples = examples;
    }
  }
}

// "gateway.rules[][kind=codec-policy].webrtc" → ["gateway", "rules", "[]", "[kind=codec-policy]", "webrtc"]
function tokenize(path: string): string[] {
  return path.split(".").flatMap((part) => part.match(/[^[\]]+|\[[^\]]*\]/g) ?? []);
}

// The schema nodes a documented path reaches, through anyOf/oneOf alternatives.
function findNodes(node: JsonSchemaNode, tokens: readonly string[]): JsonSchemaNode[] {
  if (tokens.length === 0) return [node];
  const [token, ...rest] = tokens as [string, ...string[]];
  const alternatives = [...(node.anyOf ?? []), ...(node.oneOf ?? [])];
  const here: JsonSchemaNode[] = [];
  if (token === "[]" && node.items) here.push(node.items);
  else if (token.startsWith("[kind=")) {
    const kind = token.slice(6, -1);
    here.push(...alternatives.filter((a) => (a.properties?.kind as { const?: unknown } | undefined)?.const === kind));
  } else if (node.properties?.[token]) here.push(node.properties[token]!);
  const found = here.flatMap((next) => findNodes(next, rest));
  return found.length > 0 || alternatives.length === 0 ? found : alternatives.flatMap((a) => findNodes(a, tokens));
}
