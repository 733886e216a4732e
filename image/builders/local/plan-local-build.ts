// Pure: what a local build will do, where it writes, and the exact mmdebstrap command, for
// `--dry-run` and for the builder itself.
import { join } from "node:path";
import { hashRecipe } from "../../../dsl/hash-recipe.ts";
import type { Recipe } from "../../../dsl/resolve.ts";

/** The steps of a local build, in order of their start (audit and package run beside the boot test). */
export const localBuildSteps = [
  { id: "bootstrap", title: "Bootstrap Debian 13 (mmdebstrap)" },
  { id: "provision", title: "Run the bundle's provision.sh in the rootfs" },
  { id: "seal", title: "Seal the rootfs" },
  { id: "assert-sealed", title: "Scan the rootfs for secrets and host state" },
  { id: "smoke", title: "Smoke-test first boot, Kamailio, rtpengine, HTTPS and nftables" },
  { id: "disk", title: "Write the bootable disk (GPT; GRUB for BIOS and UEFI)" },
  { id: "boot-test", title: "Boot the disk under QEMU and check it from outside" },
  { id: "audit", title: "Audit the rootfs with Lynis (beside the boot test)" },
  { id: "package", title: "Write disk.raw.zst (beside the boot test)" },
  { id: "manifest", title: "Write manifest.json and mark the artifact good" },
] as const;

/** One step's id. */
export type LocalBuildStepId = (typeof localBuildSteps)[number]["id"] | "reuse";

/** The Debian release every image is built from (the recipe's `image.base`, debian-13). */
export const debianSuite = "trixie";

/** The Debian base every local image starts from. */
export interface BaseImage {
  suite: typeof debianSuite;
  variant: "minbase";
  /** Packages a Debian 13 cloud image has that the bundle relies on. */
  include: string[];
  mirrors: string[];
}

/** Everything a local build decides before touching the world. */
export interface LocalBuildPlan {
  name: string;
  recipeHash: string;
  bundleHash: string;
  /** First 12 hex digits of the bundle hash: names the artifact. */
  shortHash: string;
  artifactDir: string;
  /** Where the build happens; renamed to `artifactDir` only when everything passed. */
  workDir: string;
  rootfsDir: string;
  aptCacheDir: string;
  mode: "root" | "unshare";
  base: BaseImage;
  mmdebstrapArgs: string[];
  steps: { id: LocalBuildStepId; title: string }[];
}

/** Inputs of the plan. */
export interface LocalBuildPlanInput {
  recipe: Recipe;
  bundle: { hash: string };
  outDir: string;
  /** @default `<outDir>/.cache/apt` */
  aptCacheDir?: string;
  /** The builder's uid (0 → mmdebstrap root mode, else unshare mode). */
  uid: number;
  /** The builder's pid, to make the work directory unique. */
  pid: number;
  /** @default deb.debian.org trixie, trixie-updates, trixie-security */
  mirrors?: string[];
}

export const defaultMirrors = [
  "deb http://deb.debian.org/debian trixie main",
  "deb http://deb.debian.org/debian trixie-updates main",
  "deb http://deb.debian.org/debian-security trixie-security main",
];

// Docs, man pages and translations are not needed on an appliance and are a quarter of its size.
const dpkgPathFilters = [
  "path-exclude=/usr/share/man/*",
  "path-exclude=/usr/share/doc/*",
  "path-include=/usr/share/doc/*/copyright",
  "path-exclude=/usr/share/locale/*",
  "path-include=/usr/share/locale/locale.alias",
  "path-exclude=/usr/share/info/*",
];

// Plans a local build of `recipe` from `bundle` into `outDir`.
export function planLocalBuild(input: LocalBuildPlanInput): LocalBuildPlan {
  if (!/^[0-9a-f]{12,}$/.test(input.bundle.hash)) throw new Error(`Expected the bundle hash to be hex, got \`${input.bundle.hash}\``);
  const name = input.recipe.image.name;
  const shortHash = input.bundle.hash.slice(0, 12);
  const workDir = join(input.outDir, `.tmp-${shortHash}-${input.pid}`);
  const rootfsDir = join(workDir, "rootfs");
  const aptCacheDir = input.aptCacheDir ?? join(input.outDir, ".cache", "apt");
  const mode = input.uid === 0 ? "root" : "unshare";
  const base: BaseImage = {
    suite: debianSuite,
    variant: "minbase",
    include: ["systemd-sysv", "openssh-server", "ca-certificates", "iproute2", "netbase"],
    mirrors: input.mirrors ?? defaultMirrors,
  };
  return {
    name,
    recipeHash: hashRecipe(input.recipe),
    bundleHash: input.bundle.hash,
    shortHash,
    artifactDir: join(input.outDir, `${name}-${shortHash}`),
    workDir,
    rootfsDir,
    aptCacheDir,
    mode,
    base,
    mmdebstrapArgs: renderMmdebstrapArgs(base, mode, aptCacheDir, rootfsDir),
    steps: localBuildSteps.map((step) => ({ ...step })),
  };
}

// The mmdebstrap argv (without the program): downloaded .debs are synced in from and out to the cache.
export function renderMmdebstrapArgs(base: BaseImage, mode: "root" | "unshare", aptCacheDir: string, target: string): string[] {
  return [
    `--mode=${mode}`,
    `--variant=${base.variant}`,
    "--format=directory",
    `--include=${base.include.join(",")}`,
    ...dpkgPathFilters.map((filter) => `--dpkgopt=${filter}`),
    "--skip=download/empty",
    "--skip=essential/unlink",
    `--setup-hook=mkdir -p "$1"/var/cache/apt/archives/`,
    `--setup-hook=sync-in ${aptCacheDir} /var/cache/apt/archives/`,
    `--customize-hook=sync-out /var/cache/apt/archives ${aptCacheDir}`,
    base.suite,
    target,
    ...base.mirrors,
  ];
}
