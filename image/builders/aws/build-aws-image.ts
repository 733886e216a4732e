import type { CloudPorts } from "../../../cloud/ports.ts";
import { buildTags, tagKeys } from "../../../cloud/naming.ts";
import { startCloudRun, type CloudRun } from "../../../cloud/cloud-run.ts";
import { waitFor } from "../../../cloud/wait.ts";
import { bucketSetupFor } from "../../../cloud/bucket-layout.ts";
import { markDeleted, recordTemporary, type JournalFile } from "../../../cloud/journal.ts";
import type { PreflightProblem } from "../../../cloud/preflight-problem.ts";
import { createStepRunner, StepFailure, type ProgressListener } from "../../../io/steps.ts";
import type { BuildAwsImageOptions } from "./build-aws-image-options.ts";
import { launchManagedInstance } from "./launch-instance.ts";
import { prepareAwsBuild } from "./prepare-aws-build.ts";
import { renderProvisionCommands, renderSmokeCommands } from "./ssm-scripts.ts";
import { renderArmSealCommands } from "./seal-at-stop.ts";
import { renderSsmAgentUserData } from "./ssm-agent-user-data.ts";
import { cleanupTemporary } from "../../../cloud/cleanup-temporary.ts";
import { createBuilderProfile, createBuilderSecurityGroup } from "./temporary-resources.ts";
import { settleJournalFile, startBuildAttempt } from "./settle-earlier-attempts.ts";
import { describeLog, logKeyFor, logUrlExpirySeconds, runSsmScript } from "./run-ssm-script.ts";

/** A step of the build: progress events name it, and a failed build says which one failed. */
export type BuildStep = "settle" | "base-image" | "upload" | "iam" | "security-group" | "launch" | "provision" | "stop" | "create-image" | "smoke" | "cleanup";

/** The outcome of a build: a smoke-tested private AMI (new or reused), or why not. `cleanupProblems` lists deletions that failed. */
export type BuildResult =
  | { kind: "built" | "reused"; ok: true; buildId: string; imageId: string; region: string; amiName: string; cleanupProblems: string[] }
  | { kind: "preflight-failed"; ok: false; problems: PreflightProblem[]; cleanupProblems: string[] }
  | { kind: "failed"; ok: false; buildId: string; step: BuildStep; error: string; logTail?: string; cleanupProblems: string[] }
  | { kind: "aborted"; ok: false; buildId: string; step: BuildStep; cleanupProblems: string[] };

// Builds the AMI: pre-flight in every target region (and the builder's subnet or default VPC), base Debian 13 AMI, temporary
// role/profile (AmazonSSMManagedInstanceCore only: no S3 access) and SG, builder instance (its user data installs the SSM agent
// Debian lacks) provisioned through SSM with the bundle from S3 (each command uploads its own log to `logs/<build id>/` through
// a URL the operator presigned for that one key), sealed as it stops, CreateImage (IMDSv2 only, private),
// smoke-test gate; temporary resources are removed whatever happens (also on abort).
// First of all, whatever earlier attempts left is removed (settle-earlier-attempts.ts); then an image of the same build that
// passed its smoke test is reused. Each attempt launches with ClientTokens of its own (the journal counts attempts).
export async function buildAwsImage(
  options: BuildAwsImageOptions,
  ports: CloudPorts,
  signal?: AbortSignal,
  onProgress?: ProgressListener,
): Promise<BuildResult> {
  const { recipe, region } = options;
  const run = startCloudRun(ports, { signal, onProgress });
  const { withRetry } = run;
  // No signal here: the cleanup step runs after an abort too (each step's own calls stop on it).
  const steps = createStepRunner<BuildStep>({ stage: "build", first: "settle", now: () => ports.clock.now(), onProgress });
  // What an earlier run journaled and did not delete (it failed, or was killed), and what its build's tag names.
  const settled = await steps.run("settle", () => settleJournalFile(run, options.journalPath));
  // Base AMI, build id, pre-flight in every region, reuse check.
  const prepared = await steps.run("base-image", () => prepareAwsBuild(options, run));
  if (!prepared.ok) return { ...prepared, cleanupProblems: settled.problems };
  const { buildId, amiName, base, packed, account, existing, network } = prepared;
  const begun = await startBuildAttempt(run, { journalPath: options.journalPath, recipe, region, buildId, amiName, account }, settled, existing);
  if (begun.kind === "reused") return { kind: "reused", ok: true, buildId, imageId: begun.imageId, region, amiName, cleanupProblems: begun.problems };
  if (begun.kind === "blocked") return { kind: "failed", ok: false, buildId, step: "settle", error: begun.error, cleanupProblems: begun.problems };
  const { journal, attempt } = begun;
  const bucket = options.stagingBucket ?? `rtcgw-${account}-${region}`;
  const tags = (role: "builder" | "smoke" | "candidate", name: string) => buildTags({ buildId, recipe: recipe.name, version: recipe.version, role, name });
  const short = buildId.slice(0, 12);
  try {
    const url = await steps.run("upload", async () => {
      await withRetry(() => ports.s3.ensureBucket(region, bucket, bucketSetupFor(bucket)));
      const key = `staging/${buildId}/bundle.tar.gz`;
      recordTemporary(journal, { kind: "s3-object", region, id: `${bucket}/${key}` });
      await withRetry(() => ports.s3.putObject(region, bucket, key, packed.tarGz, "application/gzip"));
      return ports.s3.presignGet(region, bucket, key, 3 * 3600);
    });
    const profile = await steps.run(
      "iam",
      async () =>
        recipe.image.builder.instanceProfile ??
        (await createBuilderProfile({ ports, withRetry, journal, region }, `rtcgw-build-${short}`, tags("builder", `rtcgw-build-${short}`))),
    );
    const groupId = await steps.run("security-group", () =>
      createBuilderSecurityGroup({ ports, withRetry, journal, region }, `rtcgw-build-${short}`, tags("builder", `rtcgw-build-${short}`), network.vpcId),
    );
    const launch = {
      region,
      buildId,
      attempt,
      instanceType: recipe.image.builder.instanceType,
      instanceProfileName: profile,
      securityGroupId: groupId,
      diskSizeGiB: recipe.image.disk.sizeGiB,
      encrypted: recipe.image.disk.encrypted,
      userData: renderSsmAgentUserData(region, recipe.image.arch),
      ...(network.subnetId ? { subnetId: network.subnetId } : {}),
    };
    const builderId = await steps.run("launch", () =>
      launchManagedInstance({ ...launch, purpose: "builder", imageId: base.imageId, tags: tags("builder", `rtcgw-build-${short}`) }, run, journal),
    );
    await steps.run("provision", async () => {
      const provisionBudgetMs = options.provisionBudgetMs ?? 2 * 3600_000;
      const provisionLog = { bucket, key: logKeyFor(buildId, "provision") };
      const provisionLogUrl = await ports.s3.presignPut(region, bucket, provisionLog.key, logUrlExpirySeconds(provisionBudgetMs));
      const provisionCommands = [...renderProvisionCommands(url, packed.sha256, provisionLogUrl), ...renderArmSealCommands()];
      const provision = await runSsmScript(
        { region, instanceId: builderId, commands: provisionCommands, comment: `rtcgw provision ${short}`, log: provisionLog, budgetMs: provisionBudgetMs },
        run,
        journal,
      );
      if (!provision.ok)
        throw new StepFailure<LogTail>(`provision.sh ${provision.status.toLowerCase()} on ${builderId} (${describeLog(provision)})`, {
          logTail: provision.tail,
        });
    });
    // The shutdown runs the seal armed by the provisioning command (seal-at-stop.ts).
    await steps.run("stop", async () => {
      await withRetry(() => ports.ec2.stopInstance(region, builderId), { retryCodes: ["InvalidInstanceID.NotFound"] });
      await waitFor(
        async () => ((await withRetry(() => ports.ec2.describeInstances(region, { instanceIds: [builderId] })))[0]?.state === "stopped" ? true : undefined),
        { clock: ports.clock, what: `${builderId} to stop`, budgetMs: 20 * 60_000, intervalMs: 10_000, signal },
      );
    });
    const imageId = await steps.run("create-image", () =>
      createCandidate(journal, run, region, {
        instanceId: builderId,
        name: amiName,
        description: `${recipe.name} ${recipe.version} (rtcgw build ${short})`,
        tags: tags("candidate", amiName),
      }),
    );
    await steps.run("smoke", async () => {
      const smokeId = await launchManagedInstance({ ...launch, purpose: "smoke", imageId, tags: tags("smoke", `rtcgw-smoke-${short}`) }, run, journal);
      const smokeBudgetMs = 30 * 60_000;
      const smokeLog = { bucket, key: logKeyFor(buildId, "smoke") };
      const smokeLogUrl = await ports.s3.presignPut(region, bucket, smokeLog.key, logUrlExpirySeconds(smokeBudgetMs));
      const smoke = await runSsmScript(
        {
          region,
          instanceId: smokeId,
          commands: renderSmokeCommands(recipe, smokeLogUrl),
          comment: `rtcgw smoke ${short}`,
          log: smokeLog,
          budgetMs: smokeBudgetMs,
        },
        run,
        journal,
      );
      if (!smoke.ok)
        throw new StepFailure<LogTail>(
          `smoke test ${smoke.status.toLowerCase()} on ${smokeId}: the candidate ${imageId} is deregistered (${describeLog(smoke)})`,
          { logTail: smoke.tail },
        );
      await withRetry(() => ports.ec2.tagResource(region, imageId, { [tagKeys.smoke]: "passed", [tagKeys.role]: "image" }));
      markDeleted(journal, "candidate-image", imageId);
    });
    const cleanupProblems = await steps.run("cleanup", () => cleanupTemporary(run, journal));
    return { kind: "built", ok: true, buildId, imageId, region, amiName, cleanupProblems };
  } catch (error) {
    const failed = steps.failure<LogTail>(error);
    const cleanupProblems = await steps.run("cleanup", () => cleanupTemporary(run, journal));
    if (signal?.aborted) return { kind: "aborted", ok: false, buildId, step: failed.step, cleanupProblems };
    const logTail = failed.facts?.logTail;
    return { kind: "failed", ok: false, buildId, step: failed.step, error: failed.message, ...(logTail ? { logTail } : {}), cleanupProblems };
  }
}

/** What a failed SSM step carries: the end of its log. */
interface LogTail {
  logTail?: string | undefined;
}

// CreateImage from the stopped builder, journaled as a candidate (deleted on failure), IMDSv2-only once available.
async function createCandidate(
  journal: JournalFile,
  run: CloudRun,
  region: string,
  input: { instanceId: string; name: string; description: string; tags: Record<string, string> },
): Promise<string> {
  const { ports, signal, withRetry } = run;
  const imageId = await withRetry(() => ports.ec2.createImage(region, input));
  recordTemporary(journal, { kind: "candidate-image", region, id: imageId });
  await waitFor(
    async () => {
      const [image] = await withRetry(() => ports.ec2.describeImages(region, { imageIds: [imageId] }), { retryCodes: ["InvalidAMIID.NotFound"] });
      if (image?.state === "failed") throw new Error(`CreateImage failed: ${image.stateReason ?? "unknown reason"}`);
      return image?.state === "available" ? true : undefined;
    },
    { clock: ports.clock, what: `image ${imageId}`, budgetMs: 2 * 3600_000, intervalMs: 15_000, signal },
  );
  await withRetry(() => ports.ec2.requireImdsV2(region, imageId));
  return imageId;
}
