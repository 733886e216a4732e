import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeTempDir } from "../make-temp-dir.ts";
import { runCli } from "./run-cli.ts";

const commands = ["init", "check", "compile", "build-ami", "publish", "sweep", "retire", "recipe", "schema", "license"];

test("every command has --help, and the top-level help lists them all", async () => {
  const top = await runCli(["--help"]);
  assert.equal(top.exitCode, 0);
  for (const name of commands) {
    assert.match(top.stdout, new RegExp(`^  ${name} +\\S`, "m"));
    const help = await runCli([name, "--help"]);
    assert.equal(help.exitCode, 0, `${name} --help`);
    assert.match(help.stdout, new RegExp(`^Usage: rtcgw ${name}`));
  }
});

test("an unknown command or flag is a usage error (exit 2) naming it", async () => {
  const command = await runCli(["compiel"]);
  assert.equal(command.exitCode, 2);
  assert.match(command.stderr, /unknown command "compiel"/);
  const flag = await runCli(["check", "--jsn"]);
  assert.equal(flag.exitCode, 2);
  assert.match(flag.stderr, /Unknown option '--jsn'.*rtcgw check --help/);
});

test("rtcgw init writes a recipe that checks, and never overwrites", async (t) => {
  const dir = makeTempDir(t, "rtcgw-init-");
  const first = await runCli(["init", "my.ts", "--pbx", "203.0.113.7", "--name", "acme"], { cwd: dir });
  assert.equal(first.exitCode, 0, first.stderr);
  const text = await readFile(join(dir, "my.ts"), "utf8");
  assert.match(text, /host: "203\.0\.113\.7"/);
  assert.match(text, /allowFrom: \["203\.0\.113\.7\/32"\]/);
  assert.match(text, /name: "acme"/);
  const check = await runCli(["check", "my.ts"], { cwd: dir });
  assert.equal(check.exitCode, 0, check.stderr);

  await writeFile(join(dir, "my.ts"), "// mine\n");
  const again = await runCli(["init", "my.ts", "--pbx", "pbx.example.org"], { cwd: dir });
  assert.equal(again.exitCode, 1);
  assert.match(again.stderr, /my\.ts already exists/);
  assert.equal(await readFile(join(dir, "my.ts"), "utf8"), "// mine\n");
});

test("rtcgw init requires --pbx", async () => {
  const { exitCode, stderr } = await runCli(["init", "/tmp/never.ts"]);
  assert.equal(exitCode, 2);
  assert.match(stderr, /--pbx HOST is required/);
});

test("rtcgw schema emits a strict JSON Schema of the recipe", async (t) => {
  const dir = makeTempDir(t, "rtcgw-schema-");
  const { exitCode } = await runCli(["schema", "--out", join(dir, "recipe.schema.json")]);
  assert.equal(exitCode, 0);
  const schema = JSON.parse(await readFile(join(dir, "recipe.schema.json"), "utf8"));
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(schema.required, ["name", "gateway"]);
  const listen = schema.properties.gateway.properties.listen.properties;
  assert.equal(listen.rtpengineControl.default, 2223);
  assert.equal(listen.rtp.anyOf.length, 3, 'a port range is a number, a "from-to" string or { from, to }');
  const builder = schema.properties.image.properties.builder;
  assert.deepEqual(
    [builder.properties.subnetId.type, builder.properties.subnetId.pattern, builder.required],
    ["string", "^subnet-[0-9a-f]{8,17}$", undefined],
    "image.builder.subnetId: optional, a subnet ID",
  );
});
