// The recipe text editors, byte for byte: only the edited literal changes, in the file's own layout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { editRecipeText, pointImportsAtPackage } from "../../../dsl/edit/edit-recipe-text.ts";
import { parseRecipePath, parseRecipeValue, RecipeEditError, type RecipeEdit } from "../../../dsl/edit/recipe-edits.ts";

const edit = (text: string, file: string, ...edits: RecipeEdit[]) => editRecipeText(text, edits, file);

test("TypeScript: one-line arrays and objects grow and shrink inline, trailing commas and quotes kept", async () => {
  const text = `export default defineRecipe({ name: "x", regions: ["us-east-1", "eu-central-1",], image: {} }); // end\n`;
  assert.equal(
    await edit(text, "r.ts", { kind: "append", path: ["regions"], value: "ap-south-1" }),
    `export default defineRecipe({ name: "x", regions: ["us-east-1", "eu-central-1", "ap-south-1",], image: {} }); // end\n`,
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "remove", path: ["regions"], index: 0 }),
    `export default defineRecipe({ name: "x", regions: ["eu-central-1",], image: {} }); // end\n`,
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "remove", path: ["regions"], index: 1 }),
    `export default defineRecipe({ name: "x", regions: ["us-east-1",], image: {} }); // end\n`,
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "set", path: ["image", "disk", "sizeGiB"], value: 10 }),
    `export default defineRecipe({ name: "x", regions: ["us-east-1", "eu-central-1",], image: { disk: { sizeGiB: 10 } } }); // end\n`,
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "set", path: ["publish"], value: { visibility: "public", "odd-key": [1] } }),
    `export default defineRecipe({ name: "x", regions: ["us-east-1", "eu-central-1",], image: {}, publish: { visibility: "public", "odd-key": [1] } }); // end\n`,
  );
});

test("TypeScript: multi-line lists keep one item per line, its indentation and the comments around it", async () => {
  const text = ["export default {", "    name: 'x',", "    regions: [", "        'us-east-1' // main", "    ]", "} satisfies object;", ""].join("\n");
  const added = await edit(text, "r.ts", { kind: "append", path: ["regions"], value: "ap-south-1" });
  assert.equal(
    added,
    ["export default {", "    name: 'x',", "    regions: [", "        'us-east-1', // main", "        'ap-south-1'", "    ]", "} satisfies object;", ""].join(
      "\n",
    ),
  );
  assert.equal(
    await edit(added, "r.ts", { kind: "remove", path: ["regions"], index: 1 }),
    ["export default {", "    name: 'x',", "    regions: [", "        'us-east-1' // main", "    ]", "} satisfies object;", ""].join("\n"),
  );
  assert.equal(
    await edit(added, "r.ts", { kind: "remove", path: ["regions"], index: 0 }),
    ["export default {", "    name: 'x',", "    regions: [", "        'ap-south-1'", "    ]", "} satisfies object;", ""].join("\n"),
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "delete", path: ["name"] }),
    ["export default {", "    regions: [", "        'us-east-1' // main", "    ]", "} satisfies object;", ""].join("\n"),
  );
});

test("TypeScript: values behind a const are edited where they are written; a shorthand becomes a property", async () => {
  const text = `const regions = ["us-east-1"];\nconst gateway = { upstreams: [{ name: "pbx", host: "a.example" }] };\nexport default defineRecipe({ gateway, regions });\n`;
  assert.equal(
    await edit(text, "r.ts", { kind: "set", path: ["gateway", "upstreams", 0, "host"], value: "b.example" }),
    text.replace("a.example", "b.example"),
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "append", path: ["regions"], value: "eu-west-1" }),
    text.replace(`["us-east-1"]`, `["us-east-1", "eu-west-1"]`),
  );
  assert.equal(
    await edit(text, "r.ts", { kind: "set", path: ["regions"], value: ["eu-west-1"] }),
    text.replace("{ gateway, regions }", `{ gateway, regions: ["eu-west-1"] }`),
  );
});

test("TypeScript: what cannot be edited in place is refused at its line and column", async () => {
  const computed = `export default defineRecipe({ regions: listRegions() });\n`;
  await assert.rejects(edit(computed, "r.ts", { kind: "append", path: ["regions"], value: "x" }), (error: RecipeEditError) => {
    assert.equal(error.message, "regions is a function call, not an array literal: edit it by hand");
    assert.deepEqual(error.location, { line: 1, column: 40 });
    return true;
  });
  await assert.rejects(edit("const x = 1;\n", "r.ts", { kind: "set", path: ["name"], value: "x" }), /has no `export default defineRecipe\(\{ \.\.\. \}\)`/);
  await assert.rejects(
    edit(`export default defineRecipe({ regions: [] });\n`, "r.ts", { kind: "set", path: ["regions", 2], value: "x" }),
    /regions has 0 element\(s\): there is no \[2\]/,
  );
});

test("JSON: inline values stay inline, new blocks take the file's indentation (tabs here)", async () => {
  const text = `{\n\t"name": "x",\n\t"regions": ["us-east-1"]\n}\n`;
  assert.equal(
    await edit(text, "r.json", { kind: "append", path: ["regions"], value: "eu-west-1" }),
    `{\n\t"name": "x",\n\t"regions": ["us-east-1", "eu-west-1"]\n}\n`,
  );
  assert.equal(
    await edit(text, "r.json", { kind: "set", path: ["image"], value: { disk: { sizeGiB: 10 } } }),
    `{\n\t"name": "x",\n\t"regions": ["us-east-1"],\n\t"image": {\n\t\t"disk": {\n\t\t\t"sizeGiB": 10\n\t\t}\n\t}\n}\n`,
  );
  assert.equal(await edit(text, "r.json", { kind: "delete", path: ["regions"] }), `{\n\t"name": "x"\n}\n`);
});

test("YAML: comments and flow style kept; 2-space files keep unindented lists", async () => {
  const text = "# top\nname: x\nregions:\n- us-east-1 # main\n- eu-west-1\ngateway: {domains: [a.example]}\n";
  assert.equal(
    await edit(
      text,
      "r.yaml",
      { kind: "remove", path: ["regions"], index: 1 },
      { kind: "append", path: ["gateway", "domains"], value: "b.example" },
      { kind: "set", path: ["name"], value: "y" },
    ),
    "# top\nname: y\nregions:\n- us-east-1 # main\ngateway: {domains: [a.example, b.example]}\n",
  );
});

test("paths and values from the command line", () => {
  assert.deepEqual(parseRecipePath("gateway.upstreams[0].host"), ["gateway", "upstreams", 0, "host"]);
  assert.deepEqual(parseRecipePath("gateway.upstreams.0.host"), ["gateway", "upstreams", 0, "host"]);
  assert.throws(() => parseRecipePath("gateway..x"), /"gateway\.\.x" is not a recipe path/);
  assert.deepEqual(
    [parseRecipeValue("12"), parseRecipeValue("true"), parseRecipeValue("10000-12000"), parseRecipeValue('["a"]'), parseRecipeValue('"12"')],
    [12, true, "10000-12000", ["a"], "12"],
  );
});

test("init points the default recipe's DSL import at the package", async () => {
  const text = `import { defineRecipe } from "../dsl/index.ts";\nimport other from "./other.ts";\n`;
  assert.equal(await pointImportsAtPackage(text, "gateway.ts"), `import { defineRecipe } from "rtcgw";\nimport other from "./other.ts";\n`);
});
