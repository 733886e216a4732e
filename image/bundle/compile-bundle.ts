import type { Recipe } from "../../dsl/resolve.ts";
import { compileGateway } from "../../gateway/compile-gateway.ts";
import { generatedHeader, type GeneratedFile, type GeneratedFrom } from "../../gateway/generated-file.ts";
import { compileBootFiles } from "../boot/compile-boot-files.ts";
import { compileHardeningFiles } from "../hardening/compile-hardening-files.ts";
import { assertUniquePaths, listRecipeImageFiles, placeInBundle } from "./bundle-files.ts";
import { hashBundle } from "./bundle-hash.ts";
import { buildBundleManifest, renderBundleManifest } from "./bundle-manifest.ts";
import { compileProvisionScript, listImagePackages } from "./provision-script.ts";

/** The provisioning bundle: the same tree the local builder runs in a chroot and the AWS builder runs through SSM. */
export interface Bundle {
  /** Files by path relative to the bundle root: `provision.sh`, `bundle.json`, `files/etc/...`. */
  files: GeneratedFile[];
  /** sha256 (hex) over every file's path, mode and content except bundle.json, plus the base image. */
  hash: string;
}

// The base image a bundle is provisioned onto, as it enters the hash: `debian-13-amd64`.
export function describeBaseImage(recipe: Recipe): string {
  return `${recipe.image.base}-${recipe.image.arch}`;
}

// Recipe → bundle (pure): gateway configs, hardening, recipe files and `extraFiles` (bundle paths, e.g. the
// built agent under `files/`), provision.sh, and bundle.json with the content hash. Sorted by path.
export function compileBundle(recipe: Recipe, from: GeneratedFrom, extraFiles: readonly GeneratedFile[] = []): Bundle {
  const imageFiles = [
    ...compileGateway(recipe, from),
    ...compileHardeningFiles(recipe, from),
    ...compileBootFiles(recipe, from),
    ...listRecipeImageFiles(recipe),
  ].map(placeInBundle);
  const content = [...imageFiles, ...extraFiles];
  assertUniquePaths([...content, { path: "provision.sh", content: "" }, { path: "bundle.json", content: "" }]);
  const hashed = [...content, compileProvisionScript(recipe, from, content)];
  const base = describeBaseImage(recipe);
  const hash = hashBundle(hashed, base);
  const manifest = buildBundleManifest(
    {
      generatedBy: generatedHeader(from, "#").replace(/^# /, ""),
      name: recipe.image.name,
      version: recipe.version,
      base,
      hardening: recipe.image.hardening,
      packages: listImagePackages(recipe),
      hash,
    },
    hashed,
  );
  const files = [...hashed, { path: "bundle.json", content: renderBundleManifest(manifest), mode: 0o644 }];
  return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), hash };
}
