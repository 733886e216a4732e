import { resolve } from "node:path";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { assembleBundle } from "../../image/assemble-bundle.ts";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
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
export function createBuildAmiCommand(makePorts: MakeCloudPorts = makeSdkPorts): Command {
  return {
    name: "build-ami",
    help: `Usage: rtcgw build-ami [recipe] --target aws [options]

Pre-flight in every target region (credentials, opt-in regions, AMI name, block public access, public
quota) and of the builder's network (image.builder.subnetId, or the default VPC), then builds the image from the recipe's bundle on a temporary EC2 instance through SSM Run
Command, smoke-tests it, copies it to every region, shares it, sets the SSM parameters and uploads
manifest.json, the CloudFormation templates and the go page. An unchanged recipe reuses its image.
Every run first removes what an earlier failed, interrupted or killed run left (its journal's temporary
resources and whatever carries its build tag), then builds or reuses.
Ctrl-C removes every temporary resource; copies in flight are finished by \`rtcgw publish --resume\`.

Options:
  --target aws  build on AWS (the default, --target local, builds with mmdebstrap on this machine)
  --bucket B    S3 bucket for staging, logs and artifacts (default rtcgw-<account>-<region>)
  --out DIR     also write manifest, templates and go page here
${cloudFlagsHelp}
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(
        argv,
        { ...cloudFlags, target: { type: "string" }, bucket: { type: "string" }, out: { type: "string" } },
        "build-ami",
      );
      if (values.target !== "aws") throw new UsageError(`expected \`--target aws\`, got \`${values.target ?? "(none)"}\``);
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
      const built = await buildAwsImage(options, ports, io.signal, progress);
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
