import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Project, ts } from "ts-morph";
import { projectDir } from "../cli/run-cli.ts";

// Type-checks a snippet next to the DSL, with the options `rtcgw check` uses; returns tsc's messages.
function typeErrors(snippet: string): string[] {
  const project = new Project({
    compilerOptions: {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts"],
      types: [],
      skipLibCheck: true,
      noEmit: true,
      allowImportingTsExtensions: true,
    },
    skipAddingFilesFromTsConfig: true,
  });
  const file = project.createSourceFile(join(projectDir, "dsl", "__snippet__.ts"), snippet);
  project.resolveSourceFileDependencies();
  return project
    .getProgram()
    .compilerObject.getSemanticDiagnostics(file.compilerNode)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
}

test("every recipe the TypeScript types accept is accepted by the zod schema's input type", () => {
  assert.deepEqual(
    typeErrors(`
      import type { z } from "zod";
      import type { recipeSchema } from "../dsl/schema.ts";
      import type { RecipeInput } from "../dsl/types.ts";
      type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;
      // The dial plan's upstream type carries an editor-only hint literal the schema rightly refuses.
      type Exact = Mutable<Omit<RecipeInput, "gateway"> & { gateway: Omit<RecipeInput["gateway"], "dialPlan"> }>;
      export const toSchemaInput = (recipe: Exact): z.input<typeof recipeSchema> => recipe;
    `),
    [],
  );
});

const recipeWith = (gatewayExtra: string) => `
  import { defineRecipe } from "../dsl/index.ts";
  export default defineRecipe({
    name: "t",
    gateway: {
      domains: ["pbx.example.com"],
      upstreams: [{ name: "main-pbx", host: "192.0.2.1" }, { name: "backup", host: "192.0.2.2" }],
      ${gatewayExtra}
    },
  });
`;

test("defineRecipe catches an unknown upstream, a wrong rule kind and a misspelt field in the editor", () => {
  const [upstream] = typeErrors(recipeWith('dialPlan: [{ kind: "upstream", upstream: "main-pbxx" }],'));
  assert.match(upstream!, /Type '"main-pbxx"' is not assignable to type '"main-pbx" \| "backup" \| .*Did you mean '"main-pbx"'\?/);
  const [rule] = typeErrors(recipeWith('rules: [{ kind: "strip-audio" }],'));
  assert.match(rule!, /Type '"strip-audio"' is not assignable to type '"strip-video" \| "max-call-duration" \| "codec-policy"'/);
  const [field] = typeErrors(recipeWith("capacty: { parallelCalls: 10 },"));
  assert.match(field!, /'capacty' does not exist in type/);
  assert.deepEqual(typeErrors(recipeWith('dialPlan: [{ kind: "upstream", upstream: "backup" }], capacity: { parallelCalls: 10 },')), []);
});

test("a recipe with two upstreams may route to either", () => {
  assert.deepEqual(
    typeErrors(`
      import { defineRecipe } from "../dsl/index.ts";
      export default defineRecipe({
        name: "t",
        gateway: {
          domains: ["pbx.example.com"],
          upstreams: [{ name: "a", host: "192.0.2.1" }, { name: "b", host: "192.0.2.2" }],
          dialPlan: [{ kind: "upstream", pattern: "^1", upstream: "a" }, { kind: "upstream", upstream: "b" }],
        },
      });
    `),
    [],
  );
});
