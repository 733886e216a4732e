import { z } from "zod";
import { recipeSchema } from "./schema.ts";
import { describeJsonSchema } from "./describe-json-schema.ts";
import { readRecipeDocs } from "./recipe-docs.ts";

// The recipe's JSON Schema (input side: what a user writes), from the same zod schema that validates it, with the
// descriptions, defaults and examples of dsl/types.ts's TSDoc, so JSON and YAML editors show the documentation.
export async function recipeJsonSchema(): Promise<Record<string, unknown>> {
  const schema = { ...z.toJSONSchema(recipeSchema, { io: "input", unrepresentable: "any" }), title: "rtcgw recipe" };
  describeJsonSchema(schema as Parameters<typeof describeJsonSchema>[0], await readRecipeDocs());
  return schema;
}
