// The default AWS builder: the disk image the local build tested under QEMU goes to AWS as it is. Settles what earlier
// attempts left, then (unless a smoke-checked image of the same disk exists) uploads the disk to an EBS snapshot through
// the EBS direct APIs (upload-disk.ts), registers it (register-disk-image.ts), checks an instance of it from outside
// (smoke-from-outside.ts: the image has no SSM agent) and marks it good; every temporary resource (the snapshot until
// its image passed, the candidate image, the smoke instance and its security group) goes whatever happens.
// The result and progress are the SSM builder's, so the CLI and publish take either.
import type { CloudPorts, GatewayProbePort } from "../../../cloud/ports.ts";
import { amiNameFor, buildTags, clientTokenFor, hashParts, tagKeys } from "../../../cloud/naming.ts";
import { startCloudRun } from "../../../cloud/cloud-run.ts";
import { markDeleted } from "../../../cloud/journal.ts";
import { runPreflight } from "../../../cloud/preflight.ts";
import { cleanupTemporary } from "../../../cloud/cleanup-temporary.ts";
import { createStepRunner, StepFailure, type ProgressListener } from "../../../io/steps.ts";
import type { Recipe } from "../../../dsl/resolve.ts";
import type { BuildResult, BuildStep } from "./build-aws-image.ts";
import { findBuilderNetwork } from "./builder-network.ts";
import { registerDiskImage } from "./register-disk-image.ts";
import { settleJournalFile, startBuildAttempt } from "./settle-earlier-attempts.ts";
import { probeIngressRules, smokeFromOutside } from "./smoke-from-outside.ts";
import { createBuilderSecurityGroup } from "./temporary-resources.ts";
import { uploadDiskToSnapshot } from "./upload-disk.ts";

/** The local build's tested disk: `disk.raw.zst` and, from its manifest, the raw disk's SHA-256 and size and the bundle hash. */
export interface TestedDisk {
  path: string;
  sha256: string;
  logicalBytes: number;
  bundleHash: string;
}

/** What `buildFromDisk` needs. */
export interface BuildFromDiskOptions {
  recipe: Recipe;
  disk: TestedDisk;
  /** Where the image is registered (the copies start from here). */
  region: string;
  journalPath: string;
  /** Blocks in flight. @default defaultUploadParallelism */
  parallelism?: number;
  /** Time allowed for the smoke probes to pass after launch. @default 15 min */
  smokeBudgetMs?: number;
}

// The build id follows the bytes: the same tested disk with the same image settings is the same build.
export function diskBuildIdFor(recipe: Recipe, disk: Pick<TestedDisk, "sha256">): string {
  const { arch, disk: settings } = recipe.image;
  return hashParts("disk", disk.sha256, arch, String(settings.sizeGiB), String(settings.encrypted), recipe.name, recipe.version).slice(0, 20);
}

// Builds the AMI from the tested disk; see the file's comment.
export async function buildFromDisk(
  options: BuildFromDiskOptions,
  ports: CloudPorts,
  probe: GatewayProbePort,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<BuildResult> {
  const { recipe, region, disk } = options;
  const steps = createStepRunner<BuildStep>({ stage: "build", first: "settle", now: () => ports.clock.now(), onProgress });
  const run = startCloudRun(ports, { signal, onProgress });
  const { withRetry } = run;
  const settled = await steps.run("settle", () => settleJournalFile(run, options.journalPath));
  const buildId = diskBuildIdFor(recipe, disk);
  const amiName = amiNameFor(recipe.image.name, recipe.version, buildId);
  const prepared = await steps.run("base-image", async () => {
    const [preflight, network] = await Promise.all([
      runPreflight({ recipe, sourceRegion: region, amiName, buildId }, run),
      findBuilderNetwork(recipe, region, run),
    ]);
    if (!preflight.ok || !network.ok) {
      const credentials = !preflight.ok && preflight.problems.some((p) => p.code === "credentials");
      return { ok: false as const, problems: [...(preflight.ok ? [] : preflight.problems), ...(network.ok || credentials ? [] : [network.problem])] };
    }
    const existing = await withRetry(() => ports.ec2.describeImages(region, { owners: ["self"], tag: { key: tagKeys.build, value: buildId } }));
    return { ok: true as const, account: preflight.account, network: network.network, existing };
  });
  if (!prepared.ok) return { kind: "preflight-failed", ok: false, problems: prepared.problems, cleanupProblems: settled.problems };
  const { account, network, existing } = prepared;
  const begun = await startBuildAttempt(run, { journalPath: options.journalPath, recipe, region, buildId, amiName, account }, settled, existing);
  if (begun.kind === "reused") return { kind: "reused", ok: true, buildId, imageId: begun.imageId, region, amiName, cleanupProblems: begun.problems };
  if (begun.kind === "blocked") return { kind: "failed", ok: false, buildId, step: "settle", error: begun.error, cleanupProblems: begun.problems };
  const { journal, attempt } = begun;
  const tags = (role: "builder" | "smoke" | "candidate", name: string) => buildTags({ buildId, recipe: recipe.name, version: recipe.version, role, name });
  const short = buildId.slice(0, 12);
  const ctx = { ...run, probe, journal, region };
  try {
    const uploaded = await steps.run(
      "upload",
      () =>
        uploadDiskToSnapshot(
          ctx,
          disk,
          {
            description: `${recipe.name} ${recipe.version}: disk sha256 ${disk.sha256} (rtcgw build ${short})`,
            tags: tags("candidate", amiName),
            clientToken: clientTokenFor(buildId, region, `snapshot#${attempt}`),
            ...(options.parallelism ? { parallelism: options.parallelism } : {}),
          },
          (p) => steps.running(`${p.blocksSent} blocks, ${(p.bytesSent / 1024 ** 2).toFixed(0)} MiB sent`),
        ),
      (u) =>
        `${u.snapshotId}: ${u.changedBlocks} blocks, ${(u.uploadedBytes / 1024 ** 2).toFixed(0)} MiB of a ${(u.logicalBytes / 1024 ** 3).toFixed(1)} GiB disk`,
    );
    journal.update((j) => {
      j.disk = {
        sha256: uploaded.sha256,
        logicalBytes: uploaded.logicalBytes,
        snapshotId: uploaded.snapshotId,
        changedBlocks: uploaded.changedBlocks,
        uploadedBytes: uploaded.uploadedBytes,
      };
    });
    const imageId = await steps.run("create-image", () =>
      registerDiskImage(ctx, {
        name: amiName,
        description: `${recipe.name} ${recipe.version} (rtcgw build ${short}, bundle ${disk.bundleHash.slice(0, 12)})`,
        snapshotId: uploaded.snapshotId,
        volumeSizeGiB: Math.max(recipe.image.disk.sizeGiB, uploaded.volumeSizeGiB),
        arch: recipe.image.arch,
        tags: tags("candidate", amiName),
      }),
    );
    const sipPort = recipe.gateway.listen.sip.ports.from;
    const httpsPort = recipe.gateway.listen.wss.port;
    const groupId = await steps.run("security-group", async () => {
      const id = await createBuilderSecurityGroup(
        ctx,
        `rtcgw-smoke-${short}`,
        tags("smoke", `rtcgw-smoke-${short}`),
        network.vpcId,
        "rtcgw smoke check: the gateway's SIP and HTTPS ports, for probes from the operator",
      );
      await withRetry(() => ports.ec2.authorizeIngress(region, id, probeIngressRules(sipPort, httpsPort)));
      return id;
    });
    await steps.run("smoke", async () => {
      const smoke = await smokeFromOutside(ctx, {
        imageId,
        buildId,
        attempt,
        instanceType: recipe.image.builder.instanceType,
        securityGroupId: groupId,
        subnetId: network.subnetId,
        diskSizeGiB: recipe.image.disk.sizeGiB,
        encrypted: recipe.image.disk.encrypted,
        tags: tags("smoke", `rtcgw-smoke-${short}`),
        sipPort,
        httpsPort,
        adminUser: recipe.gateway.admin.user,
        ...(options.smokeBudgetMs ? { budgetMs: options.smokeBudgetMs } : {}),
      });
      if (!smoke.ok) {
        const failed = smoke.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
        throw new StepFailure(
          `smoke check from outside failed on ${smoke.instanceId}: the candidate ${imageId} is deregistered (${failed.join("; ") || "no probe ran"})`,
        );
      }
      await withRetry(() => ports.ec2.tagResource(region, imageId, { [tagKeys.smoke]: "passed", [tagKeys.role]: "image" }));
      // The image and its snapshot are the build's now, no longer temporary.
      markDeleted(journal, "candidate-image", imageId);
      markDeleted(journal, "snapshot", uploaded.snapshotId);
    });
    const cleanupProblems = await steps.run("cleanup", () => cleanupTemporary(run, journal));
    return { kind: "built", ok: true, buildId, imageId, region, amiName, cleanupProblems };
  } catch (error) {
    const failed = steps.failure(error);
    const cleanupProblems = await steps.run("cleanup", () => cleanupTemporary(run, journal));
    if (signal?.aborted) return { kind: "aborted", ok: false, buildId, step: failed.step, cleanupProblems };
    return { kind: "failed", ok: false, buildId, step: failed.step, error: failed.message, cleanupProblems };
  }
}
