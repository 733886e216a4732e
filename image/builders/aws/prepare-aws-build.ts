import type { CloudPorts, ImageRecord } from "../../../cloud/ports.ts";
import { amiNameFor, hashParts, isSmokeTested, tagKeys } from "../../../cloud/naming.ts";
import { startCloudRun, type CloudRun } from "../../../cloud/cloud-run.ts";
import { runPreflight } from "../../../cloud/preflight.ts";
import type { PreflightProblem } from "../../../cloud/preflight-problem.ts";
import type { BuildAwsImageOptions } from "./build-aws-image-options.ts";
import { describeBuilderNetwork, findBuilderNetwork, type BuilderNetwork } from "./builder-network.ts";
import { findDebianBaseImage } from "./launch-instance.ts";
import { packBundle, type PackedBundle } from "./pack-bundle.ts";

/** Everything decided before a build creates anything. */
export type PreparedBuild =
  | {
      ok: true;
      buildId: string;
      amiName: string;
      account: string;
      regions: string[];
      base: { imageId: string; name: string };
      packed: PackedBundle;
      existing: ImageRecord[];
      network: BuilderNetwork;
    }
  | { kind: "preflight-failed"; ok: false; problems: PreflightProblem[] };

/** A build's dry-run: what would be built, or reused. */
export type AwsBuildPlan =
  | {
      kind: "planned";
      ok: true;
      buildId: string;
      amiName: string;
      region: string;
      regions: string[];
      baseImage: string;
      builderNetwork: string;
      reuseImageId?: string;
    }
  | { kind: "preflight-failed"; ok: false; problems: PreflightProblem[] };

// Read-only preparation: newest Debian base AMI, the build id (bundle hash + base AMI + disk + recipe version), pre-flight in
// every target region with the builder's network in the build's region (builder-network.ts), and the images already tagged
// with this build. Every problem is reported at once (a network problem only when the credentials work).
export async function prepareAwsBuild(options: BuildAwsImageOptions, run: CloudRun): Promise<PreparedBuild> {
  const { recipe, region } = options;
  const { ports, withRetry } = run;
  const base = await findDebianBaseImage(run, region, recipe.image.arch);
  if (!base)
    return {
      kind: "preflight-failed",
      ok: false,
      problems: [{ region, code: "cloud-error", message: `no official Debian 13 ${recipe.image.arch} AMI (owner 136693071363) in ${region}` }],
    };
  const packed = packBundle(options.bundle.files);
  const disk = recipe.image.disk;
  const buildId = hashParts(
    options.bundle.hash || packed.sha256,
    base.imageId,
    recipe.image.arch,
    String(disk.sizeGiB),
    String(disk.encrypted),
    recipe.name,
    recipe.version,
  ).slice(0, 20);
  const amiName = amiNameFor(recipe.image.name, recipe.version, buildId);
  const [preflight, network] = await Promise.all([
    runPreflight({ recipe, sourceRegion: region, amiName, buildId }, run),
    findBuilderNetwork(recipe, region, run),
  ]);
  if (!preflight.ok || !network.ok) {
    const credentials = !preflight.ok && preflight.problems.some((p) => p.code === "credentials");
    const problems = [...(preflight.ok ? [] : preflight.problems), ...(network.ok || credentials ? [] : [network.problem])];
    return { kind: "preflight-failed", ok: false, problems };
  }
  const existing = await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], tag: { key: tagKeys.build, value: buildId } }));
  return { ok: true, buildId, amiName, account: preflight.account, regions: preflight.regions, base, packed, existing, network: network.network };
}

// The dry-run of `buildAwsImage`: pre-flight and what would happen, nothing created.
export async function planAwsBuild(options: BuildAwsImageOptions, ports: CloudPorts, signal?: AbortSignal): Promise<AwsBuildPlan> {
  const prepared = await prepareAwsBuild(options, startCloudRun(ports, { signal }));
  if (!prepared.ok) return prepared;
  const reuse = prepared.existing.find((i) => i.state === "available" && isSmokeTested(i.tags));
  return {
    kind: "planned",
    ok: true,
    buildId: prepared.buildId,
    amiName: prepared.amiName,
    region: options.region,
    regions: prepared.regions,
    baseImage: `${prepared.base.imageId} (${prepared.base.name})`,
    builderNetwork: describeBuilderNetwork(prepared.network),
    ...(reuse ? { reuseImageId: reuse.imageId } : {}),
  };
}
