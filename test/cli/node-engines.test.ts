// The project's `engines.node` is true: every package it installs (package-lock.json, dev dependencies
// included) runs on every Node version that range admits, starting with its lowest; a package that needs a
// newer Node fails this test by name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { enginesConflicts, type LockedPackage } from "./node-engines.ts";
import { projectDir } from "./run-cli.ts";

const manifest = JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { engines?: { node?: string } };
const lock = JSON.parse(readFileSync(join(projectDir, "package-lock.json"), "utf8")) as { packages: Record<string, LockedPackage> };

test("package.json states engines.node and package-lock.json records the same", () => {
  assert.equal(typeof manifest.engines?.node, "string", "package.json has engines.node");
  assert.deepEqual(lock.packages[""]?.engines, manifest.engines, "package-lock.json is in step with package.json (run npm install)");
});

test("no installed package needs a Node the project's engines.node does not promise", () => {
  const withEngines = Object.entries(lock.packages).filter(([path, entry]) => path !== "" && !Array.isArray(entry.engines) && entry.engines?.node);
  assert.ok(withEngines.length > 50, `${withEngines.length} locked packages declare engines.node`);
  assert.ok(
    withEngines.some(([path]) => path === "node_modules/werift"),
    "werift (the WebRTC stack of the boot test's calls and the tests' browsers) is locked and declares engines.node",
  );
  assert.deepEqual(
    enginesConflicts(manifest.engines!.node!, lock.packages).map((conflict) => conflict.message),
    [],
  );
});

test("the check names a package whose engines exclude the project's lowest Node, and one that excludes a later one", () => {
  const packages: Record<string, LockedPackage> = {
    "": { engines: { node: ">=20" } },
    "node_modules/werift": { version: "0.25.2", dev: true, engines: { node: ">=22" } },
    "node_modules/eslint": { version: "9.39.5", dev: true, engines: { node: "^18.18.0 || ^20.9.0 || >=21.1.0" } },
    "node_modules/a/node_modules/@scope/b": { version: "1.0.0", engines: { node: "^20.0.0 || >=22" } },
    "node_modules/ok": { version: "1.0.0", engines: { node: ">= 16" } },
    "node_modules/no-node": { version: "1.0.0", engines: { npm: ">=7" } },
  };
  const conflicts = enginesConflicts(">=20", packages);
  assert.deepEqual(
    conflicts.map(({ package: name, excluded }) => [name, excluded]),
    [
      ["werift@0.25.2 (node_modules/werift, dev)", "20.0.0"],
      ["eslint@9.39.5 (node_modules/eslint, dev)", "20.0.0"],
      ["@scope/b@1.0.0 (node_modules/a/node_modules/@scope/b)", "21.0.0"],
    ],
  );
  assert.match(
    conflicts[0]!.message,
    /^werift@0\.25\.2 .*engines\.node ">=22" excludes Node 20\.0\.0, the lowest the project admits \(project engines\.node ">=20"\)/,
  );
  assert.deepEqual(
    enginesConflicts("^20.19.0 || ^22.13.0 || >=24", packages).map((c) => c.package),
    ["werift@0.25.2 (node_modules/werift, dev)"],
  );
});
