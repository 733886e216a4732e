// The public face of the DSL: what a recipe file imports.
export { defineRecipe } from "./define.ts";
export type * from "./types.ts";
