// Finds the disk image the local build tested for this recipe's bundle (`rtcgw build-ami --target local` writes it to
// <images>/<name>-<hash>/): the disk builder uploads exactly that file, checked against its manifest's SHA-256.
import { join } from "node:path";
import type { Recipe } from "../../../dsl/resolve.ts";
import type { Bundle } from "../../bundle/compile-bundle.ts";
import { artifactFiles, readGoodManifest } from "../local/image-manifest.ts";
import { planLocalBuild } from "../local/plan-local-build.ts";
import type { TestedDisk } from "./build-from-disk.ts";

/** The tested disk, or what to do to get one. */
export type TestedDiskLookup = { ok: true; disk: TestedDisk; artifactDir: string } | { ok: false; message: string };

// Looks in `imagesDir` for a good local image of this bundle (manifest good, disk intact).
export function findTestedDisk(input: { recipe: Recipe; bundle: Bundle; imagesDir: string }): TestedDiskLookup {
  const plan = planLocalBuild({ recipe: input.recipe, bundle: input.bundle, outDir: input.imagesDir, uid: process.getuid?.() ?? 0, pid: process.pid });
  const manifest = readGoodManifest(plan.artifactDir, plan.bundleHash);
  if (!manifest)
    return {
      ok: false,
      message: `no tested disk image of this recipe (bundle ${plan.shortHash}) in ${plan.artifactDir}: build and boot-test it first with \`rtcgw build-ami --target local\` (as root; --out ${input.imagesDir} if you used another folder, here --images), or build on AWS from the bundle with \`--builder ssm\``,
    };
  return {
    ok: true,
    artifactDir: plan.artifactDir,
    disk: {
      path: join(plan.artifactDir, artifactFiles.disk),
      sha256: manifest.disk.sha256,
      logicalBytes: manifest.disk.logicalBytes,
      bundleHash: manifest.bundleHash,
    },
  };
}
