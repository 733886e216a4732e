import { test } from "node:test";
import assert from "node:assert/strict";
import { planLocalBuild } from "../../image/builders/local/plan-local-build.ts";
import { hashRecipe } from "../../dsl/hash-recipe.ts";
import { renderNamespaceCommand, renderNamespaceScript, quoteShell } from "../../image/builders/local/namespace-script.ts";
import { renderBootstrapCommand } from "../../image/builders/local/bootstrap-rootfs.ts";
import { buildLocalImage } from "../../image/builders/local/build-local-image.ts";
import { checkLocalBuildPrerequisites } from "../../image/builders/local/check-prerequisites.ts";
import { loadRecipe } from "./load-test-recipe.ts";

const hash = "9893117b07d5aa3c4f0e6e1f2d3c4b5a69788796a5b4c3d2e1f00112233445566";

test("the plan names the artifact by recipe name and bundle hash and builds in a pid-unique work dir", () => {
  const plan = planLocalBuild({ recipe: loadRecipe(), bundle: { hash }, outDir: "/out", uid: 0, pid: 4242 });
  assert.equal(plan.artifactDir, "/out/rtcgw-9893117b07d5");
  assert.equal(plan.workDir, "/out/.tmp-9893117b07d5-4242");
  assert.equal(plan.rootfsDir, "/out/.tmp-9893117b07d5-4242/rootfs");
  assert.equal(plan.aptCacheDir, "/out/.cache/apt");
  assert.equal(plan.mode, "root");
  assert.deepEqual(
    plan.steps.map((s) => s.id),
    ["bootstrap", "provision", "seal", "assert-sealed", "smoke", "disk", "boot-test", "audit", "package", "manifest"],
  );
});

test("mmdebstrap bootstraps trixie minbase into the rootfs, syncing .debs with the shared apt cache", () => {
  const plan = planLocalBuild({ recipe: loadRecipe(), bundle: { hash }, outDir: "/out", aptCacheDir: "/cache/apt", uid: 1000, pid: 1 });
  const args = plan.mmdebstrapArgs;
  assert.equal(plan.mode, "unshare");
  assert.ok(args.includes("--mode=unshare"));
  assert.ok(args.includes("--variant=minbase"));
  assert.ok(args.includes("--skip=download/empty"), "keeps downloaded .debs for the cache");
  assert.ok(args.includes("--setup-hook=sync-in /cache/apt /var/cache/apt/archives/"));
  assert.ok(args.includes("--customize-hook=sync-out /var/cache/apt/archives /cache/apt"));
  const suite = args.indexOf("trixie");
  assert.equal(args[suite + 1], plan.rootfsDir);
  assert.match(args[suite + 2]!, /^deb http:\/\/deb\.debian\.org\/debian trixie main$/);
});

test("the recipe hash ignores key order and changes with content", () => {
  const recipe = loadRecipe();
  const reordered = Object.fromEntries(Object.entries(recipe).reverse()) as typeof recipe;
  assert.equal(hashRecipe(reordered), hashRecipe(recipe));
  assert.notEqual(hashRecipe(loadRecipe((r) => (r.version = "0.2.0"))), hashRecipe(recipe));
});

test("a bundle without a hash cannot be planned", () => {
  assert.throws(() => planLocalBuild({ recipe: loadRecipe(), bundle: { hash: "" }, outDir: "/out", uid: 0, pid: 1 }), /bundle hash/);
});

test("--dry-run returns the plan and touches nothing", async () => {
  const result = await buildLocalImage({ recipe: loadRecipe(), bundle: { files: [], hash }, outDir: "/nonexistent/rtcgw-out", dryRun: true });
  assert.ok(result.ok && result.dryRun);
  assert.equal(result.plan.artifactDir, "/nonexistent/rtcgw-out/rtcgw-9893117b07d5");
});

test("namespace runs die with their mounts: private mount and pid namespaces, killed with unshare", () => {
  const argv = renderNamespaceCommand({
    rootDir: "/r oot",
    overlayDir: "/w/ov",
    privateNetwork: true,
    binds: [{ from: "/host/lynis", to: "/usr/share/lynis", readOnly: true }],
    command: ["lynis", "audit"],
  });
  for (const flag of ["--mount", "--propagation=private", "--pid", "--uts", "--fork", "--kill-child", "--net"]) assert.ok(argv.includes(flag), flag);
  const script = renderNamespaceScript({ rootDir: "/r oot", overlayDir: "/w/ov", command: [] });
  assert.match(script, /root='\/r oot'/);
  assert.match(script, /mount -t overlay overlay -o "lowerdir=\$root,upperdir=\$ov\/upper,workdir=\$ov\/work" "\$ov\/merged"/);
  assert.match(script, /exec chroot "\$root" "\$@"/);
  assert.deepEqual(argv.slice(-2), ["lynis", "audit"]);
  assert.equal(quoteShell("it's"), `'it'\\''s'`);
});

test("the prerequisite check passes on this machine (every [build] package of debian-packages.txt installed)", async () => {
  assert.deepEqual(await checkLocalBuildPrerequisites({ outDir: "/tmp" }), []);
});

test("a non-root build is told what it needs in one line per thing", async () => {
  const lines = await checkLocalBuildPrerequisites({ outDir: "/tmp", uid: 1000 });
  assert.ok(lines.length >= 1);
  assert.ok(lines.every((line) => !line.includes("\n")));
  assert.ok(lines.some((line) => line.includes("root")));
});

test("mmdebstrap runs in its own mount, pid and UTS namespaces, killed as a whole", () => {
  const argv = renderBootstrapCommand(["--variant=minbase", "trixie", "/r"]);
  assert.equal(argv[0], "unshare");
  for (const flag of ["--mount", "--propagation=private", "--pid", "--uts", "--kill-child"]) assert.ok(argv.includes(flag), flag);
  assert.match(argv[argv.indexOf("-c") + 1]!, /hostname localhost && mount -t proc proc \/proc && exec mmdebstrap "\$@"/);
  assert.deepEqual(argv.slice(-3), ["--variant=minbase", "trixie", "/r"]);
});
