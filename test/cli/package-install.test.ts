// rtcgw as a user gets it: the packed tarball installed into a fresh project (offline, from the npm
// cache), then `npx rtcgw init`, `check`, `compile`, `build-ami --dry-run` there, the recipe type-checked
// by `tsc` against the installed types, and the installed CLI run from a read-only package directory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { makeTempDir } from "../make-temp-dir.ts";
import { installTarball, listTarball, packRtcgw, runInstalledCli } from "./install-package.ts";
import { projectDir, runCli } from "./run-cli.ts";

const tsc = join(projectDir, "node_modules/.bin/tsc");
const bundleHash = (text: string) => /bundle (sha256:[0-9a-f]+)/.exec(text)?.[1];

test("the packed rtcgw installs into an empty project, where init, check, compile, build-ami --dry-run and tsc work", { timeout: 10 * 60_000 }, async (t) => {
  const work = makeTempDir(t, "rtcgw-pack-");
  const tarball = await packRtcgw(work);
  const files = await listTarball(tarball);
  for (const needed of [
    "bin/rtcgw.mjs",
    "dist/cli/main.js",
    "dist/dsl/index.js",
    "dist/types/dsl/index.d.ts",
    "recipes/gateway.ts",
    "debian-packages.txt",
    "gateway/kamailio/kamailio.cfg.hbs",
  ]) {
    assert.ok(files.includes(needed), `the tarball has ${needed}`);
  }
  assert.deepEqual(
    files.filter((f) => /(^|\/)(test|bench|fixtures)\/|\.test\.ts$|prepare-package/.test(f)),
    [],
    "no tests, benchmarks, fixtures or pack-time scripts in the tarball",
  );
  assert.equal(existsSync(join(projectDir, "dist")), false, "postpack removed dist/ from the clone");

  const project = makeTempDir(t, "rtcgw-project-");
  await installTarball(project, tarball);
  // tsx is a runtime dependency: build-ami's smoke and boot tests run their stand-ins with it.
  assert.equal(existsSync(join(project, "node_modules", "tsx")), true, "tsx (a runtime dependency) is installed");
  // werift too: the boot test's WebRTC calls run the browser stand-in (JsSIP, werift) on the user's machine.
  assert.equal(existsSync(join(project, "node_modules", "werift")), true, "werift (a runtime dependency) is installed");
  for (const devOnly of ["typescript", "playwright-core"])
    assert.equal(existsSync(join(project, "node_modules", devOnly)), false, `${devOnly} (a dev dependency) is not installed`);

  const init = await runInstalledCli(project, ["init", "--pbx", "192.0.2.10"]);
  assert.equal(init.exitCode, 0, init.stderr);
  assert.match(init.stdout, /^wrote recipes\/gateway\.ts: PBX 192\.0\.2\.10, SIP domain 192\.0\.2\.10, calls accepted from 192\.0\.2\.10\/32$/m);
  assert.match(init.stdout, /^wrote tsconfig\.json /m);
  const recipe = readFileSync(join(project, "recipes/gateway.ts"), "utf8");
  assert.match(recipe, /^import \{ defineRecipe \} from "rtcgw";$/m);

  const check = await runInstalledCli(project, ["check"]);
  assert.equal(check.exitCode, 0, check.stderr);
  assert.match(check.stdout, /^recipes\/gateway\.ts: ok/);
  const compile = await runInstalledCli(project, ["compile", "--out", "out/bundle"]);
  assert.equal(compile.exitCode, 0, compile.stderr);
  assert.ok(existsSync(join(project, "out/bundle/provision.sh")));
  const fromClone = await runCli(["compile", "--out", "out/clone-bundle"], { cwd: project });
  assert.equal(bundleHash(compile.stdout), bundleHash(fromClone.stdout), "the installed CLI compiles the same bytes as the clone's");
  const dryRun = await runInstalledCli(project, ["build-ami", "--dry-run"]);
  assert.equal(dryRun.exitCode, 0, dryRun.stderr);
  assert.match(dryRun.stdout, /^Plan for rtcgw \(bundle [0-9a-f]{12}\):$/m);

  const types = await execa(tsc, ["-p", "."], { cwd: project, reject: false });
  assert.equal(types.exitCode, 0, `tsc against the installed types: ${types.stdout}`);
  writeFileSync(join(project, "recipes/typo.ts"), recipe.replace('upstream: "pbx"', 'upstream: "pbz"'));
  const typo = await execa(tsc, ["-p", "."], { cwd: project, reject: false });
  assert.match(String(typo.stdout), /recipes\/typo\.ts\(\d+,\d+\): error TS2322: Type '"pbz"' is not assignable to type '[^']*"pbx"[^']*'/);

  const runtime = await execa(
    "node",
    ["--input-type=module", "-e", 'import { defineRecipe } from "rtcgw"; console.log(typeof defineRecipe, defineRecipe({ name: "x" }).name)'],
    { cwd: project },
  );
  assert.equal(String(runtime.stdout), "function x");
  // The boot test's calls load the browser stand-in with tsx from the installed package: its packages resolve there.
  const browser = await execa(
    "node",
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      'const m = await import("./node_modules/rtcgw/image/boot-test/check-webrtc-calls.ts"); console.log(typeof m.checkWebRtcCalls)',
    ],
    { cwd: project, reject: false },
  );
  assert.equal(String(browser.stdout), "function", String(browser.stderr));

  // A read-only install (a system-wide node_modules, a store): nothing under the package is written.
  const readOnly = await execa(
    "unshare",
    [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"',
      "sh",
      join(project, "node_modules/rtcgw"),
      "npx",
      "--offline",
      "rtcgw",
      "compile",
      "--out",
      "out/read-only",
    ],
    { cwd: project, reject: false },
  );
  assert.equal(readOnly.exitCode, 0, String(readOnly.stderr));
  assert.equal(bundleHash(String(readOnly.stdout)), bundleHash(compile.stdout));
});
