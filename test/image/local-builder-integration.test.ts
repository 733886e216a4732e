// Builds that must fail, with mmdebstrap for real (root, apt cache shared between runs in
// ~/.cache/rtcgw/apt or $RTCGW_APT_CACHE). The default recipe's whole build, disk and boot test
// included, is test/image/boot-disk.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { buildLocalImage, type LocalBuildOptions } from "../../image/builders/local/build-local-image.ts";
import { checkLocalBuildPrerequisites } from "../../image/builders/local/check-prerequisites.ts";
import { loadRecipe } from "./load-test-recipe.ts";

const aptCacheDir = process.env.RTCGW_APT_CACHE ?? join(homedir(), ".cache", "rtcgw", "apt");

async function prepare(t: { after: (fn: () => void) => void }): Promise<string> {
  assert.deepEqual(await checkLocalBuildPrerequisites({ outDir: tmpdir() }), [], "local build prerequisites");
  const outDir = mkdtempSync(join(tmpdir(), "rtcgw-local-"));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  return outDir;
}

// Every manifest.json under `dir` that says good.
function findGoodManifests(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith("manifest.json"))
    .filter((path) => (JSON.parse(readFileSync(join(dir, path), "utf8")) as { good?: boolean }).good === true);
}

function assertNothingLeftBehind(outDir: string, marker?: string): void {
  assert.deepEqual(
    readdirSync(outDir).filter((name) => name.startsWith(".tmp-")),
    [],
    "no work directory left",
  );
  assert.ok(!readFileSync("/proc/self/mountinfo", "utf8").includes(outDir), "no mount left under the output directory");
  if (marker) {
    const alive = readdirSync("/proc").filter((pid) => /^\d+$/.test(pid) && readCmdline(pid).includes(marker));
    assert.deepEqual(alive, [], "no process of the build left");
  }
}

function readCmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

function fixtureBundle(provision: string): LocalBuildOptions["bundle"] {
  const files = [
    { path: "provision.sh", content: `#!/bin/bash\nset -eu\n${provision}\n`, mode: 0o755 },
    { path: "bundle.json", content: "{}\n", mode: 0o644 },
  ];
  return { files, hash: createHash("sha256").update(provision).digest("hex") };
}

test("a failing provision.sh fails the build, keeps its log, and marks nothing good", async (t) => {
  const outDir = await prepare(t);
  const bundle = fixtureBundle('echo "provisioning the fixture"\nexit 3');
  const result = await buildLocalImage({ recipe: loadRecipe(), bundle, outDir, aptCacheDir });
  assert.ok(!result.ok, "the build fails");
  assert.equal(result.step, "provision");
  assert.match(result.message, /provision\.sh exited with 3/);
  assert.equal(result.canceled, false);
  assert.ok(!existsSync(result.plan.artifactDir), "no artifact directory");
  assert.deepEqual(findGoodManifests(outDir), []);
  assert.match(readFileSync(result.failedLog!, "utf8"), /provisioning the fixture/);
  assertNothingLeftBehind(outDir);
});

test("Ctrl-C during provisioning leaves no mounts, no processes and no artifact", async (t) => {
  const outDir = await prepare(t);
  const marker = `rtcgw-cancel-${randomBytes(6).toString("hex")}`;
  const bundle = fixtureBundle(`mount | grep -q ' /proc ' && exec -a ${marker} sleep 600`);
  const controller = new AbortController();
  const watching = (async () => {
    for (let round = 0; round < 6000 && !controller.signal.aborted; round++) {
      if (readdirSync("/proc").some((pid) => /^\d+$/.test(pid) && readCmdline(pid).startsWith(marker))) return controller.abort(new Error("Ctrl-C"));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const result = await buildLocalImage({ recipe: loadRecipe(), bundle, outDir, aptCacheDir, signal: controller.signal });
  await watching;
  assert.ok(!result.ok);
  assert.equal(result.canceled, true);
  assert.equal(result.step, "provision");
  assert.deepEqual(findGoodManifests(outDir), []);
  assertNothingLeftBehind(outDir, marker);
});

test("Ctrl-C during mmdebstrap stops it at once and leaves no mounts, no processes and no artifact", async (t) => {
  const outDir = await prepare(t);
  const gpgHomesBefore = listMmdebstrapTempDirs();
  const controller = new AbortController();
  const result = await buildLocalImage({
    recipe: loadRecipe(),
    bundle: fixtureBundle("true"),
    outDir,
    aptCacheDir,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.step === "bootstrap" && e.state === "start") setTimeout(() => controller.abort(new Error("Ctrl-C")), 3000);
    },
  });
  assert.ok(!result.ok);
  assert.equal(result.canceled, true);
  assert.equal(result.step, "bootstrap");
  assert.deepEqual(findGoodManifests(outDir), []);
  assertNothingLeftBehind(outDir, outDir);
  assert.deepEqual(
    listMmdebstrapTempDirs().filter((dir) => !gpgHomesBefore.includes(dir)),
    [],
    "mmdebstrap's temp folders stay out of /tmp",
  );
});

function listMmdebstrapTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith("mmdebstrap."));
}
