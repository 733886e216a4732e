// Every `@default` in dsl/types.ts (the documentation, also shipped in the JSON Schema) equals the default the
// schema and resolve.ts apply: a recipe that writes the documented value resolves exactly like one that leaves it out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRecipe } from "../../dsl/parse.ts";
import { parseDefaultText, readRecipeDocs } from "../../dsl/recipe-docs.ts";
import { defaultDialPlan, type Recipe } from "../../dsl/resolve.ts";

const minimal = () =>
  ({
    name: "mini",
    gateway: { domains: ["pbx.example.com"], upstreams: [{ name: "pbx", host: "192.0.2.10" }] as Record<string, unknown>[] } as Record<string, any>,
  }) as Record<string, any>;

// What an item of an array or a union member needs to exist (its required fields, and the context its default applies in).
const itemSetups: Record<string, (recipe: Record<string, any>) => Record<string, unknown>> = {
  "gateway.upstreams[]": (r) => r.gateway.upstreams[0],
  // The default TLS port 5061 lies in the default SIP range 5060-5069: a recipe turning TLS on moves one of them.
  "gateway.listen.tls": (r) => ((r.gateway.listen = { sip: { ports: "5070-5079" } }), r.gateway.listen),
  "gateway.upstreams[].tls": (r) => {
    r.gateway.listen = { tls: { port: 5081 } };
    return Object.assign(r.gateway.upstreams[0], { transport: "tls" });
  },
  "gateway.rules[][kind=codec-policy]": (r) => ((r.gateway.rules = [{ kind: "codec-policy" }]), r.gateway.rules[0]),
  "gateway.dialPlan[][kind=conference]": (r) => ((r.gateway.dialPlan = [{ kind: "conference" }]), r.gateway.dialPlan[0]),
  "gateway.dialPlan[][kind=music]": (r) => ((r.gateway.dialPlan = [{ kind: "music" }]), r.gateway.dialPlan[0]),
  "gateway.dialPlan[][kind=upstream]": (r) => ((r.gateway.dialPlan = [{ kind: "upstream", upstream: "pbx" }]), r.gateway.dialPlan[0]),
  "gateway.dialPlan[][kind=reject]": (r) => ((r.gateway.dialPlan = [{ kind: "reject" }]), r.gateway.dialPlan[0]),
  "image.files[]": (r) => ((r.image = { files: [{ path: "/etc/x", content: "x" }] }), r.image.files[0]),
};

/** Defaults documented in words, each with where its value is tested. */
const proseDefaults: Record<string, string> = {
  "gateway.upstreams[].allowFrom": "test/dsl/rules.test.ts (defaults) and gateway-gaps.test.ts (host names)",
  "gateway.listen": "see each field",
  "gateway.listen.advertise": "absent: nothing is announced",
  "gateway.dialPlan": "asserted below",
  "gateway.security": "see each field",
  image: "see each field",
  "image.name": "test/dsl/rules.test.ts (defaults)",
  "image.builder.instanceProfile": "regions/builders: a temporary profile",
  "image.builder.subnetId": "test/dsl/parse.test.ts (absent)",
  publish: "see each field",
};

// Sets `value` at a documented path of a minimal recipe (creating the objects and items on the way).
function withValueAt(path: string, value: unknown): Record<string, any> {
  const recipe = minimal();
  const tokens = path.split(".").flatMap((part) => part.match(/[^[\]]+|\[[^\]]*\]/g) ?? []);
  let node: Record<string, any> = recipe;
  let prefix = "";
  for (const [i, token] of tokens.entries()) {
    const last = i === tokens.length - 1;
    if (token.startsWith("[")) {
      prefix += token;
      if (tokens[i + 1]?.startsWith("[kind=")) continue;
      const setup = itemSetups[prefix];
      if (!setup) throw new Error(`no item setup for ${prefix}`);
      node = setup(recipe);
      if (last) throw new Error(`${path} documents an item, not a field`);
      continue;
    }
    prefix += prefix ? `.${token}` : token;
    // A field whose default applies in a context (a TLS upstream's `tls`): its setup returns the parent.
    if (itemSetups[prefix]) node = itemSetups[prefix]!(recipe);
    if (last) node[token] = value;
    else node = node[token] ??= {};
  }
  return recipe;
}

// The same recipe without the value: only the context its item setup needs.
function baseFor(path: string): Record<string, any> {
  const recipe = withValueAt(path, "__placeholder__");
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node && typeof node === "object")
      return Object.fromEntries(
        Object.entries(node)
          .filter(([, v]) => v !== "__placeholder__")
          .map(([k, v]) => [k, strip(v)]),
      );
    return node;
  };
  return strip(recipe) as Record<string, any>;
}

function resolve(value: unknown): Recipe {
  const parsed = parseRecipe(value);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems.map((p) => `${p.path}: ${p.message}`)));
  return parsed.recipe;
}

test("every literal @default in dsl/types.ts is the default the recipe gets", async () => {
  const docs = await readRecipeDocs();
  const literal = docs.filter((doc) => doc.defaultText !== undefined && "literal" in parseDefaultText(doc.defaultText));
  assert.ok(literal.length >= 40, `only ${literal.length} literal defaults found`);
  for (const doc of literal) {
    const { literal: value } = parseDefaultText(doc.defaultText!);
    const withDefault = withValueAt(doc.path, value);
    assert.deepEqual(resolve(withDefault), resolve(baseFor(doc.path)), `${doc.path}: documented @default ${doc.defaultText} is not what the schema applies`);
  }
});

test("defaults documented in words are the known few; the default dial plan is conference, music, then the first upstream", async () => {
  const docs = await readRecipeDocs();
  const prose = docs.filter((doc) => doc.defaultText !== undefined && !("literal" in parseDefaultText(doc.defaultText))).map((doc) => doc.path);
  assert.deepEqual(prose.sort(), Object.keys(proseDefaults).sort());
  const recipe = minimal();
  recipe.gateway.upstreams.push({ name: "second", host: "192.0.2.11" });
  assert.deepEqual(resolve(recipe).gateway.dialPlan, defaultDialPlan("pbx"));
});
