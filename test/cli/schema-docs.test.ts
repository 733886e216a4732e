// JSON and YAML recipes get the documentation of dsl/types.ts in their editor: the schema carries every field's
// description, default and examples, and a JSON recipe that names the schema with "$schema" checks clean.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeTempDir } from "../make-temp-dir.ts";
import { runCli } from "./run-cli.ts";

type Node = { description?: string; default?: unknown; examples?: unknown[]; properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[] };

// Every property of every object in the schema, as [path, node].
function listProperties(node: Node, path = ""): [string, Node][] {
  const own = Object.entries(node.properties ?? {}).flatMap(([key, child]): [string, Node][] => [
    [`${path}.${key}`, child],
    ...listProperties(child, `${path}.${key}`),
  ]);
  const nested = [...(node.items ? [node.items] : []), ...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap((child) =>
    listProperties(child, node.items === child ? `${path}[]` : path),
  );
  return [...own, ...nested];
}

test("rtcgw schema: every field has its TSDoc description, defaults and examples", async (t) => {
  const dir = makeTempDir(t, "rtcgw-schema-docs-");
  const { exitCode } = await runCli(["schema", "--out", join(dir, "recipe.schema.json")]);
  assert.equal(exitCode, 0);
  const schema = JSON.parse(await readFile(join(dir, "recipe.schema.json"), "utf8")) as Node;
  const undocumented = listProperties(schema)
    .filter(([path, node]) => !node.description && !path.endsWith(".kind"))
    .map(([path]) => path);
  assert.deepEqual(undocumented, []);
  const listen = schema.properties!.gateway!.properties!.listen!.properties!;
  assert.equal(listen.rtpengineControl!.description, "rtpengine's control (ng) port on loopback. Default: 2223.");
  assert.equal(listen.rtpengineControl!.default, 2223);
  assert.deepEqual(schema.properties!.regions!.examples, [["us-east-1", "eu-central-1"]]);
  assert.match(schema.properties!.gateway!.properties!.upstreams!.items!.properties!.tls!.description!, /pins the CA certificates to trust/);
});

test('a JSON recipe naming its schema with "$schema" checks clean', async (t) => {
  const dir = makeTempDir(t, "rtcgw-schema-json-");
  const recipe = {
    $schema: "./recipe.schema.json",
    name: "json-recipe",
    gateway: { domains: ["pbx.example.com"], upstreams: [{ name: "pbx", host: "192.0.2.10" }] },
  };
  await writeFile(join(dir, "gateway.json"), JSON.stringify(recipe, null, 2));
  const { exitCode, stdout, stderr } = await runCli(["check", "gateway.json"], { cwd: dir });
  assert.equal(exitCode, 0, stderr);
  assert.match(stdout, /^gateway\.json: ok — 1 upstream, 3 dial routes/);
});
