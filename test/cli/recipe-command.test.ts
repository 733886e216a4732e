// `rtcgw recipe ...` edits a recipe in place: byte-exact results for .ts, .yaml and .json recipes with
// comments and their own formatting, and a change that would not pass check writes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../make-temp-dir.ts";
import { runCli } from "./run-cli.ts";

const typescriptRecipe = `import { defineRecipe } from 'rtcgw';

export default defineRecipe({
\tname: 'edge',\t// image name
\tgateway: {
\t\tdomains: [ 'pbx.example.com' ],
\t\tupstreams: [
\t\t\t{ name: 'pbx', host: 'pbx.example.com', allowFrom: ['192.0.2.10/32'] }, // the only one
\t\t],
\t\tdialPlan: [{ kind: 'upstream', pattern: '.*', upstream: 'pbx' }],
\t},
\t/* where it is published */
\tregions: [
\t\t'us-east-1', // Virginia
\t\t'eu-central-1', // Frankfurt
\t],
});
`;

const typescriptEdited = `import { defineRecipe } from 'rtcgw';

export default defineRecipe({
\tname: 'edge',\t// image name
\tgateway: {
\t\tdomains: [ '198.51.100.7' ],
\t\tupstreams: [
\t\t\t{ name: 'pbx', host: '198.51.100.7', allowFrom: ['198.51.100.7/32'] }, // the only one
\t\t],
\t\tdialPlan: [{ kind: 'upstream', pattern: '.*', upstream: 'pbx' }],
\t},
\t/* where it is published */
\tregions: [
\t\t'eu-central-1', // Frankfurt
\t\t'ap-south-1',
\t],
\timage: { disk: { sizeGiB: 12 } },
});
`;

const yamlRecipe = `# Edge gateway, kept by hand.
name: edge   # image name

gateway:
  domains: [pbx.example.com]
  upstreams:
    - name: pbx
      host: 'pbx.example.com'   # quoted on purpose
      allowFrom:
        - 192.0.2.10/32

  dialPlan:
    - {kind: upstream, pattern: '.*', upstream: pbx}

# where it is published
regions:
  - us-east-1    # Virginia
  - eu-central-1 # Frankfurt
`;

// The yaml document API keeps comments, blank lines, flow style and quotes; it writes one space before a comment.
const yamlEdited = `# Edge gateway, kept by hand.
name: edge # image name

gateway:
  domains: [198.51.100.7]
  upstreams:
    - name: pbx
      host: '198.51.100.7' # quoted on purpose
      allowFrom:
        - 198.51.100.7/32

  dialPlan:
    - {kind: upstream, pattern: '.*', upstream: pbx}

# where it is published
regions:
  - eu-central-1 # Frankfurt
  - ap-south-1
image:
  disk:
    sizeGiB: 12
`;

const jsonRecipe = `{
    "name": "edge",
    "gateway": {
        "domains": ["pbx.example.com"],
        "upstreams": [{"name": "pbx", "host": "pbx.example.com", "allowFrom": ["192.0.2.10/32"]}],
        "dialPlan": [{"kind": "upstream", "pattern": ".*", "upstream": "pbx"}]
    },
    "regions": [
        "us-east-1",
        "eu-central-1"
    ]
}
`;

const jsonEdited = `{
    "name": "edge",
    "gateway": {
        "domains": ["198.51.100.7"],
        "upstreams": [{"name": "pbx", "host": "198.51.100.7", "allowFrom": ["198.51.100.7/32"]}],
        "dialPlan": [{"kind": "upstream", "pattern": ".*", "upstream": "pbx"}]
    },
    "regions": [
        "eu-central-1",
        "ap-south-1"
    ],
    "image": {
        "disk": {
            "sizeGiB": 12
        }
    }
}
`;

for (const [file, before, after] of [
  ["edge.ts", typescriptRecipe, typescriptEdited],
  ["edge.yaml", yamlRecipe, yamlEdited],
  ["edge.json", jsonRecipe, jsonEdited],
] as const) {
  test(`rtcgw recipe set pbx, add-region, remove-region and set PATH VALUE keep ${file}'s formatting and comments`, async (t) => {
    const dir = makeTempDir(t, "rtcgw-recipe-");
    writeFileSync(join(dir, file), before);
    const pbx = await runCli(["recipe", "set", "pbx", "198.51.100.7", file], { cwd: dir });
    assert.equal(pbx.exitCode, 0, pbx.stderr);
    assert.equal(
      pbx.stderr,
      [
        `${file}: gateway.upstreams[0].host = "198.51.100.7" (was "pbx.example.com")`,
        `${file}: gateway.upstreams[0].allowFrom = ["198.51.100.7/32"] (was ["192.0.2.10/32"])`,
        `${file}: gateway.domains[0] = "198.51.100.7" (was "pbx.example.com")`,
        `wrote ${file} (it passes check)`,
      ].join("\n"),
    );
    for (const args of [
      ["add-region", "ap-south-1"],
      ["remove-region", "us-east-1"],
      ["set", "image.disk.sizeGiB", "12"],
    ]) {
      const run = await runCli(["recipe", ...args, file], { cwd: dir });
      assert.equal(run.exitCode, 0, `${args.join(" ")}: ${run.stderr}`);
    }
    assert.equal(readFileSync(join(dir, file), "utf8"), after);
    assert.deepEqual(readdirSync(dir), [file], "no temporary file is left");
  });
}

test("a change that would not pass check writes nothing and names the problem in the recipe", async (t) => {
  const dir = makeTempDir(t, "rtcgw-recipe-");
  writeFileSync(join(dir, "edge.ts"), typescriptRecipe);
  writeFileSync(join(dir, ".edge.rtcgw-tmp-3999999-0badcafe.ts"), "// the checked copy of an edit killed with -9\n");
  const typo = await runCli(["recipe", "set", "gateway.dialPlan[0].upstream", "pbz", "edge.ts"], { cwd: dir });
  assert.equal(typo.exitCode, 1);
  assert.match(
    typo.stderr,
    /^edge\.ts:10:49 error TS2322: Type '"pbz"' is not assignable to type '[^']*"pbx"[^']*'\.\n1 error\nedge\.ts is unchanged: the change would not pass check \(line numbers are those of the changed recipe\)$/,
  );
  const rule = await runCli(["recipe", "set", "gateway.listen.rtp", "10000-10004", "edge.ts"], { cwd: dir });
  assert.equal(rule.exitCode, 1);
  assert.match(rule.stderr, /^edge\.ts:\d+:\d+ error gateway\.listen\.rtp: RTP range 10000-10004 holds 1 call/);
  const schema = await runCli(["recipe", "set", "image.disk.sizeGiB", "huge", "edge.ts"], { cwd: dir });
  assert.equal(schema.exitCode, 1);
  assert.match(schema.stderr, /error (TS\d+|image\.disk\.sizeGiB)/);
  assert.equal(readFileSync(join(dir, "edge.ts"), "utf8"), typescriptRecipe);
  assert.deepEqual(readdirSync(dir), ["edge.ts"], "no temporary file is left, and a killed edit's is removed");
});

test("recipe edits refuse what they cannot do, saying why", async (t) => {
  const dir = makeTempDir(t, "rtcgw-recipe-");
  writeFileSync(join(dir, "one.ts"), typescriptRecipe.replace("\t\t'us-east-1', // Virginia\n", ""));
  const last = await runCli(["recipe", "remove-region", "eu-central-1", "one.ts"], { cwd: dir });
  assert.equal(last.exitCode, 1);
  assert.equal(
    last.stderr,
    "rtcgw: one.ts: eu-central-1 is the only region: an image is published to at least one; add another first (rtcgw recipe add-region REGION); nothing was written",
  );
  const absent = await runCli(["recipe", "remove-region", "us-west-2", "one.ts"], { cwd: dir });
  assert.equal(absent.stderr, "rtcgw: one.ts: us-west-2 is not in regions (eu-central-1); nothing was written");
  writeFileSync(
    join(dir, "spread.ts"),
    "import { defineRecipe } from 'rtcgw';\nconst shared = { domains: ['a.example'] };\nexport default defineRecipe({\n  name: 'edge',\n  gateway: { ...shared, upstreams: [{ name: 'pbx', host: '192.0.2.1' }] },\n});\n",
  );
  const spread = await runCli(["recipe", "set", "gateway.listen.rtp", "10000-12000", "spread.ts"], { cwd: dir });
  assert.equal(spread.exitCode, 1);
  assert.equal(
    spread.stderr,
    'rtcgw: spread.ts:5:14: gateway takes fields from a spread (...shared): rtcgw cannot tell whether it sets "listen"; edit it by hand; nothing was written',
  );
  const usage = await runCli(["recipe", "rename", "x"], { cwd: dir });
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /unknown change "rename": use set pbx HOST, add-region REGION, remove-region REGION or set PATH VALUE/);
});
