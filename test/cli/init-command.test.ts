// `rtcgw init`: a project in an empty directory, only the recipe in an existing project, the three
// formats, and the PBX's allowed addresses derived from an IP address or a host name (or said missing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { makeTempDir } from "../make-temp-dir.ts";
import { runCli } from "./run-cli.ts";

test("init in an empty directory makes a project whose recipe imports rtcgw", async (t) => {
  const dir = makeTempDir(t, "rtcgw-init-");
  const init = await runCli(["init", "--pbx", "203.0.113.7", "--name", "acme"], { cwd: dir });
  assert.equal(init.exitCode, 0, init.stderr);
  assert.deepEqual(readdirSync(dir).sort(), [".gitignore", "package.json", "recipes", "tsconfig.json"]);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  assert.match(manifest.devDependencies.rtcgw, /^\^\d+\.\d+\.\d+$/);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")).include, ["recipes"]);
  assert.equal(
    readFileSync(join(dir, ".gitignore"), "utf8"),
    "# What rtcgw writes: compiled bundles and images, the AWS journal, temporary files a crash may leave.\nout/\n.rtcgw/\n*.rtcgw-tmp*\nnode_modules/\n",
  );
  const recipe = readFileSync(join(dir, "recipes/gateway.ts"), "utf8");
  assert.match(recipe, /^import \{ defineRecipe \} from "rtcgw";\n/);
  assert.match(recipe, /^  name: "acme",$/m);
  assert.match(recipe, /upstreams: \[\{ name: "pbx", host: "203\.0\.113\.7", port: 5060, transport: "udp", allowFrom: \["203\.0\.113\.7\/32"\] \}\]/);
  assert.match(recipe, /domains: \["203\.0\.113\.7"\]/);
  assert.equal(
    init.stdout,
    [
      "wrote recipes/gateway.ts: PBX 203.0.113.7, SIP domain 203.0.113.7, calls accepted from 203.0.113.7/32",
      "wrote package.json (rtcgw as a dev dependency)",
      "wrote tsconfig.json (editors check the recipe with rtcgw's types)",
      "wrote .gitignore (out/, .rtcgw/, node_modules/)",
      "still to set, when you publish to AWS: regions (now us-east-1, eu-central-1: rtcgw recipe add-region / remove-region) and a license in SSM (gateway.license; without one, calls end after 90 s)",
      "next: npm install, then npx rtcgw check recipes/gateway.ts, then npx rtcgw build-ami recipes/gateway.ts",
    ].join("\n"),
  );
  const check = await runCli(["check"], { cwd: dir });
  assert.equal(check.exitCode, 0, check.stderr);
});

test("init in an existing project writes only the recipe; a host name's addresses are resolved, or said missing", async (t) => {
  const dir = makeTempDir(t, "rtcgw-init-");
  writeFileSync(join(dir, "package.json"), '{ "name": "mine", "devDependencies": { "rtcgw": "^0.1.0" } }\n');
  mkdirSync(join(dir, "src"));
  const init = await runCli(["init", "edge.yaml", "--pbx", "localhost"], { cwd: dir });
  assert.equal(init.exitCode, 0, init.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ["edge.yaml", "package.json", "src"]);
  const yaml = parse(readFileSync(join(dir, "edge.yaml"), "utf8"));
  const { allowFrom, ...upstream } = yaml.gateway.upstreams[0];
  assert.deepEqual(upstream, { name: "pbx", host: "localhost", port: 5060, transport: "udp" });
  assert.ok(
    allowFrom.includes("127.0.0.1/32") && allowFrom.every((a: string) => a === "127.0.0.1/32" || a === "::1/128"),
    `localhost's addresses (/etc/hosts): ${allowFrom}`,
  );
  assert.match(
    init.stdout,
    /^still to set: calls are accepted from [0-9a-f.:/, ]+, what localhost resolves to now: if your PBX sends from other addresses, set them with `rtcgw recipe set pbx localhost --allow-from CIDR,\.\.\.`$/m,
  );

  const unresolved = await runCli(["init", "edge.json", "--pbx", "pbx.invalid"], { cwd: dir });
  assert.equal(unresolved.exitCode, 0, unresolved.stderr);
  const json = JSON.parse(readFileSync(join(dir, "edge.json"), "utf8"));
  assert.equal("allowFrom" in json.gateway.upstreams[0], false, "no allowFrom: [] written");
  assert.match(unresolved.stdout, /^wrote edge\.json: PBX pbx\.invalid, SIP domain pbx\.invalid, calls accepted from nowhere yet$/m);
  assert.match(
    unresolved.stdout,
    /^still to set: calls from the PBX are refused until you say which addresses it sends from: `rtcgw recipe set pbx pbx\.invalid --allow-from CIDR,\.\.\.` \(pbx\.invalid did not resolve here\)$/m,
  );

  const typescript = await runCli(["init", "mine.ts", "--pbx", "192.0.2.1"], { cwd: dir });
  assert.equal(typescript.exitCode, 0, typescript.stderr);
  assert.match(
    typescript.stdout,
    /^note: this project has no tsconfig\.json: for your editor to check the recipe with rtcgw's types, add one with "moduleResolution": "bundler"$/m,
  );
  assert.equal(existsSync(join(dir, "tsconfig.json")), false);

  const given = await runCli(["init", "given.yaml", "--pbx", "pbx.invalid", "--allow-from", "198.51.100.0/28,2001:db8::5"], { cwd: dir });
  assert.equal(given.exitCode, 0, given.stderr);
  assert.deepEqual(parse(readFileSync(join(dir, "given.yaml"), "utf8")).gateway.upstreams[0].allowFrom, ["198.51.100.0/28", "2001:db8::5"]);
  for (const file of ["edge.yaml", "edge.json", "given.yaml", "mine.ts"]) assert.equal((await runCli(["check", file], { cwd: dir })).exitCode, 0, file);
});

test("init refuses a clash of --format and file name, a bad --allow-from, and never overwrites", async (t) => {
  const dir = makeTempDir(t, "rtcgw-init-");
  const clash = await runCli(["init", "x.yaml", "--format", "json", "--pbx", "192.0.2.1"], { cwd: dir });
  assert.equal(clash.exitCode, 2);
  assert.match(clash.stderr, /--format json does not match x\.yaml: name the file \.json, or leave out --format/);
  const cidr = await runCli(["init", "--pbx", "192.0.2.1", "--allow-from", "10.0.0.0/99"], { cwd: dir });
  assert.equal(cidr.exitCode, 2);
  assert.match(cidr.stderr, /--allow-from "10\.0\.0\.0\/99" is not an address or CIDR/);
  writeFileSync(join(dir, "mine.ts"), "// mine\n");
  const again = await runCli(["init", "mine.ts", "--pbx", "192.0.2.1"], { cwd: dir });
  assert.equal(again.exitCode, 1);
  assert.match(again.stderr, /mine\.ts already exists/);
  assert.equal(readFileSync(join(dir, "mine.ts"), "utf8"), "// mine\n");
  assert.equal(existsSync(join(dir, "package.json")), false, "nothing else was written");
  const help = await runCli(["init", "--help"]);
  assert.doesNotMatch(help.stdout, /90 s calls/);
  assert.match(help.stdout, /--format F/);
});
