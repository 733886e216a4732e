import { resolve } from "node:path";
import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { resumePublish } from "../../regions/publish-image.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { printProblems } from "../print-problems.ts";
import { createProgressRenderer } from "../render-progress.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { printPublishResult } from "./aws-print-results.ts";
import { cloudFlags, cloudFlagsHelp, exitCodeOf, journalPathFor, makeSdkPorts, pickRegion, type MakeCloudPorts } from "./aws-shared.ts";

// `rtcgw publish --resume`: finishes a crashed, interrupted or partly failed publish from its journal.
export function createPublishCommand(makePorts: MakeCloudPorts = makeSdkPorts): Command {
  return {
    name: "publish",
    help: `Usage: rtcgw publish [recipe] --resume [options]

Reads the journal of the last \`rtcgw build-ami\` of the recipe and finishes what is missing: copies
that were in flight or failed, sharing, deprecation, SSM parameters, manifest, templates, go page.
Regions already published are not touched.

Options:
  --resume      required: resume from the journal
  --bucket B    S3 bucket for the artifacts (default rtcgw-<account>-<region>)
  --out DIR     also write manifest, templates and go page here
${cloudFlagsHelp}
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(
        argv,
        { ...cloudFlags, resume: { type: "boolean" }, bucket: { type: "string" }, out: { type: "string" } },
        "publish",
      );
      if (!values.resume) throw new UsageError("expected `--resume` (a new image is published by `rtcgw build-ami --target aws`)");
      const path = resolveRecipeArgument(positionals, io.cwd, "publish");
      const checked = await checkRecipeFile(path, { cwd: io.cwd });
      if (!checked.ok) {
        printProblems(io, checked.problems, Boolean(values.json));
        return 1;
      }
      const recipe = checked.recipe;
      const ports = makePorts({ region: pickRegion(values.region, recipe), profile: values.profile });
      const result = await resumePublish(
        {
          recipe,
          journalPath: journalPathFor(io, values.journal, recipe),
          dryRun: Boolean(values["dry-run"]),
          ...(values.bucket ? { artifactBucket: values.bucket } : {}),
          ...(values.out ? { outDir: resolve(io.cwd, values.out) } : {}),
        },
        ports,
        io.signal,
        createProgressRenderer(io, { json: Boolean(values.json) }),
      );
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else printPublishResult(io, result);
      return exitCodeOf(result);
    },
  };
}

/** The command over real AWS. */
export const publishCommand = createPublishCommand();
