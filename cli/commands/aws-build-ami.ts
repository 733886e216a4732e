import { resolve } from "node:path";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { assembleBundle } from "../../image/assemble-bundle.ts";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { buildFromDisk, diskBuildIdFor } from "../../image/builders/aws/build-from-disk.ts";
import { findTestedDisk } from "../../image/builders/aws/find-tested-disk.ts";
import { createGatewayProbe } from "../../image/smoke/probe-from-outside.ts";
import type { GatewayProbePort } from "../../cloud/ports.ts";
import { planAwsBuild } from "../../image/builders/aws/prepare-aws-build.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { printProblems } from "../print-problems.ts";
import { createProgressRenderer } from "../render-progress.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { printBuildResult, printPublishResult } from "./aws-print-results.ts";
import { cloudFlags, cloudFlagsHelp, exitCodeOf, journalPathFor, makeSdkPorts, pickRegion, type MakeCloudPorts } from "./aws-shared.ts";

// `rtcgw build-ami --target aws`: build, smoke-test, copy to every region and publish; the ports factory is injectable for tests.
// The probe of the disk builder's smoke check is injectable too (the fake cloud answers it).
export function createBuildAmiCommand(makePorts: MakeCloudPorts = makeSdkPorts, makeProbe: () => GatewayProbePort = () => createGatewayProbe()): Command {
  return {
    name: "build-ami",
    help: `Usage: rtcgw build-ami [recipe] --target aws [--builder disk|ssm] [options]

Pre-flight in every target region (credentials, opt-in regions, AMI name, block public access, public
quota) and of the builder's network (image.builder.subnetId, or the default VPC), then builds the AMI,
smoke-tests it, copies it to every region, shares it, sets the SSM parameters and uploads manifest.json,
the CloudFormation templates and the go page. An unchanged recipe reuses its image.

  --builder disk (default)  AWS gets the very bytes the local build tested: the recipe's good disk image
                            (<images>/<name>-<hash>/disk.raw.zst from \`rtcgw build-ami --target local\`)
                            goes to an EBS snapshot through the EBS direct APIs (512 KiB blocks with SHA-256
                            checksums, all-zero blocks skipped, the disk's SHA-256 checked against its
                            manifest), is registered (ENA, uefi-preferred, IMDSv2 only) and checked from
                            outside on a smoke instance (SIP OPTIONS; HTTPS / 401, then 200 with the
                            instance id as the admin password). manifest.json names the disk and the snapshot.
  --builder ssm             The alternative without a local build: Debian's AMI provisioned with the
                            bundle on a temporary EC2 instance through SSM Run Command, sealed, and
                            smoke-tested inside through SSM.

Every run first removes what an earlier failed, interrupted or killed run left (its journal's temporary
resources and whatever carries its build tag: a half-uploaded snapshot too), then builds or reuses.
Ctrl-C removes every temporary resource; copies in flight are finished by \`rtcgw publish --resume\`.

Options:
  --target aws  build on AWS (the default, --target local, builds with mmdebstrap on this machine)
  --builder B   disk (default) or ssm
  --images DIR  where the local build put its images (default out/images; --builder disk)
  --bucket B    S3 bucket for staging, logs and artifacts (default rtcgw-<account>-<region>)
  --out DIR     also write manifest, templates and go page here
${cloudFlagsHelp}
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(
        argv,
        {
          ...cloudFlags,
          target: { type: "string" },
          builder: { type: "string", default: "disk" },
          images: { type: "string" },
          bucket: { type: "string" },
          out: { type: "string" },
        },
        "build-ami",
      );
      if (values.target !== "aws") throw new UsageError(`expected \`--target aws\`, got \`${values.target ?? "(none)"}\``);
      const builder = values.builder;
      if (builder !== "disk" && builder !== "ssm") throw new UsageError(`--builder must be disk or ssm, got \`${builder}\``);
      const path = resolveRecipeArgument(positionals, io.cwd, "build-ami");
      const checked = await checkRecipeFile(path, { cwd: io.cwd });
      if (!checked.ok) {
        printProblems(io, checked.problems, Boolean(values.json));
        return 1;
      }
      const recipe = checked.recipe;
      const region = pickRegion(values.region, recipe);
      const ports = makePorts({ region, profile: values.profile });
      const bundle = await assembleBundle(recipe, path);
      const journalPath = journalPathFor(io, values.journal, recipe);
      const options = { recipe, bundle, region, journalPath, ...(values.bucket ? { stagingBucket: values.bucket } : {}) };
      const progress = createProgressRenderer(io, { json: Boolean(values.json) });
      let build = () => buildAwsImage(options, ports, io.signal, progress);
      if (builder === "disk") {
        const tested = findTestedDisk({ recipe, bundle, imagesDir: resolve(io.cwd, values.images ?? "out/images") });
        if (!tested.ok) {
          if (values.json) io.stdout(`${JSON.stringify({ build: { kind: "failed", ok: false, step: "settle", error: tested.message } }, null, 2)}\n`);
          else io.stderr(`rtcgw build-ami --builder disk: ${tested.message}\n`);
          return 1;
        }
        const { disk } = tested;
        if (values["dry-run"]) {
          const buildId = diskBuildIdFor(recipe, disk);
          const publishPlan = await publishImage(
            { recipe, buildId, sourceRegion: region, sourceImageId: "(to be built)", journalPath, dryRun: true },
            ports,
            io.signal,
          );
          const plan = { builder: "disk", buildId, region, disk };
          if (values.json) io.stdout(`${JSON.stringify({ build: plan, publish: publishPlan }, null, 2)}\n`);
          else {
            io.stdout(
              `build ${buildId} in ${region}: upload ${disk.path} (sha256 ${disk.sha256}, ${(disk.logicalBytes / 1024 ** 3).toFixed(1)} GiB disk) to an EBS snapshot, register it, smoke-check it from outside\n`,
            );
            printPublishResult(io, publishPlan);
          }
          return publishPlan.ok ? 0 : 1;
        }
        io.stderr(`disk ${disk.path}\n  sha256 ${disk.sha256} (tested under QEMU, bundle ${disk.bundleHash.slice(0, 12)})\n`);
        build = () => buildFromDisk({ recipe, disk, region, journalPath }, ports, makeProbe(), io.signal, progress);
      }
      if (values["dry-run"]) {
        const plan = await planAwsBuild(options, ports, io.signal);
        const publishPlan = plan.ok
          ? await publishImage(
              { recipe, buildId: plan.buildId, sourceRegion: region, sourceImageId: plan.reuseImageId ?? "(to be built)", journalPath, dryRun: true },
              ports,
              io.signal,
            )
          : undefined;
        if (values.json) io.stdout(`${JSON.stringify({ build: plan, publish: publishPlan }, null, 2)}\n`);
        else if (!plan.ok) printBuildResult(io, { ...plan, cleanupProblems: [] });
        else {
          io.stdout(
            `build ${plan.buildId} from ${plan.baseImage} in ${region} (${plan.builderNetwork}): ${plan.reuseImageId ? `reuse ${plan.reuseImageId}` : "build a new image"}\n`,
          );
          if (publishPlan) printPublishResult(io, publishPlan);
        }
        return plan.ok && publishPlan?.ok ? 0 : 1;
      }
      const built = await build();
      if (!built.ok) {
        if (values.json) io.stdout(`${JSON.stringify({ build: built }, null, 2)}\n`);
        else printBuildResult(io, built);
        return exitCodeOf(built);
      }
      if (!values.json) printBuildResult(io, built);
      const published = await publishImage(
        {
          recipe,
          buildId: built.buildId,
          sourceRegion: region,
          sourceImageId: built.imageId,
          journalPath,
          ...(values.bucket ? { artifactBucket: values.bucket } : {}),
          ...(values.out ? { outDir: resolve(io.cwd, values.out) } : {}),
        },
        ports,
        io.signal,
        progress,
      );
      if (values.json) io.stdout(`${JSON.stringify({ build: built, publish: published }, null, 2)}\n`);
      else printPublishResult(io, published);
      return exitCodeOf(published);
    },
  };
}

/** The command over real AWS. */
export const buildAmiCommand = createBuildAmiCommand();
