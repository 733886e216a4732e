import { z } from "zod";
import { recipeSchema } from "./schema.ts";

// The recipe's JSON Schema (input side: what a user writes), from the same zod schema that validates it.
export function recipeJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(recipeSchema, { io: "input", unrepresentable: "any" }),
    title: "rtcgw recipe",
  };
}
