import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { assembleBundle } from "../../image/assemble-bundle.ts";
import { artifactFiles, manifestSchema, writeManifest, type LocalImageManifest } from "../../image/builders/local/image-manifest.ts";
import { planLocalBuild } from "../../image/builders/local/plan-local-build.ts";
import { makeTempDir } from "../make-temp-dir.ts";
import { makeSparseDisk } from "./sparse-disk.ts";

// `rtcgw build-ami --target aws` (the disk builder, the default) on a fake cloud in a child process: it takes the local
// build's good disk image of the recipe's bundle, or says how to make one.
function runCli(args: string[]): Promise<{ exit: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/aws/fixtures/run-aws-cli.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let [stdout, stderr] = ["", ""];
  child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => void (stderr += c.toString()));
  return new Promise((resolve) => child.on("close", (exit) => resolve({ exit, stdout, stderr })));
}

// A good local image of recipes/gateway.ts's bundle in `imagesDir` (as `--target local` leaves it), with a small sparse disk.
async function seedTestedDisk(imagesDir: string) {
  const checked = await checkRecipeFile("recipes/gateway.ts", { cwd: process.cwd() });
  assert.ok(checked.ok);
  const bundle = await assembleBundle(checked.recipe, "recipes/gateway.ts");
  const plan = planLocalBuild({ recipe: checked.recipe, bundle, outDir: imagesDir, uid: 0, pid: process.pid });
  const sparse = makeSparseDisk({ sizeBytes: 8 * 1024 * 1024, dataBlocks: [0, 5] });
  mkdirSync(plan.artifactDir, { recursive: true });
  copyFileSync(sparse.zst, join(plan.artifactDir, artifactFiles.disk));
  const disk = { sha256: sparse.sha256, logicalBytes: sparse.logicalBytes, compressedBytes: statSync(sparse.zst).size };
  writeManifest(plan.artifactDir, { schema: manifestSchema, good: true, bundleHash: bundle.hash, disk } as unknown as LocalImageManifest);
  return { sparse, artifactDir: plan.artifactDir };
}

const common = (t: TestContext) => {
  const dir = makeTempDir(t, "rtcgw-cli-disk-");
  return { dir, statePath: join(dir, "state.json"), journalPath: join(dir, "journal.json"), imagesDir: join(dir, "images") };
};

test("build-ami --target aws uploads the tested disk, registers and smoke-checks it, publishes; manifest names the disk; nothing left", async (t) => {
  const { statePath, journalPath, imagesDir, dir } = common(t);
  const { sparse, artifactDir } = await seedTestedDisk(imagesDir);
  const args = ["build-ami", "recipes/gateway.ts", "--target", "aws", "--images", imagesDir, "--region", "us-east-1", "--journal", journalPath];
  const { exit, stderr } = await runCli([statePath, ...args, "--out", join(dir, "out")]);
  assert.equal(exit, 0, stderr);
  assert.ok(stderr.includes(`disk ${join(artifactDir, artifactFiles.disk)}\n  sha256 ${sparse.sha256}`), stderr);
  const state = JSON.parse(readFileSync(statePath, "utf8")) as { leftovers: string[]; images: { region: string; state: string }[] };
  assert.deepEqual(state.leftovers, []);
  assert.deepEqual(state.images.map((i) => [i.region, i.state]).sort(), [
    ["eu-central-1", "available"],
    ["us-east-1", "available"],
  ]);
  const manifest = JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")) as {
    disk?: { sha256: string; snapshotId: string; changedBlocks: number };
  };
  assert.equal(manifest.disk?.sha256, sparse.sha256);
  assert.match(manifest.disk?.snapshotId ?? "", /^snap-/);
  assert.equal(manifest.disk?.changedBlocks, 2);
});

test("build-ami --target aws without a tested disk says how to make one and creates nothing", async (t) => {
  const { statePath, journalPath, imagesDir } = common(t);
  const { exit, stderr } = await runCli([statePath, "build-ami", "--target", "aws", "--images", imagesDir, "--region", "us-east-1", "--journal", journalPath]);
  assert.equal(exit, 1);
  assert.match(
    stderr,
    /no tested disk image of this recipe \(bundle [0-9a-f]{12}\) in .*images\/.*: build and boot-test it first with `rtcgw build-ami --target local`.*--builder ssm/,
  );
  const state = JSON.parse(readFileSync(statePath, "utf8")) as { leftovers: string[]; images: unknown[] };
  assert.deepEqual([state.leftovers, state.images], [[], []]);
});
