import { checkRecipeFile } from "../../dsl/check-recipe.ts";
import { retire } from "../../regions/retire.ts";
import { sweep } from "../../regions/sweep.ts";
import { parseCommandArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { printProblems } from "../print-problems.ts";
import { createProgressRenderer } from "../render-progress.ts";
import { resolveRecipeArgument } from "../recipe-argument.ts";
import { cloudFlags, cloudFlagsHelp, makeSdkPorts, pickRegion, type MakeCloudPorts } from "./aws-shared.ts";

// `rtcgw sweep`: deletes leftovers of builds by their build tag.
export function createSweepCommand(makePorts: MakeCloudPorts = makeSdkPorts): Command {
  return {
    name: "sweep",
    help: `Usage: rtcgw sweep (--build ID | --all) [--regions a,b|all] [options]

Options:
  --build ID    only this build's leftovers (the id printed by build-ami)
  --all         every rtcgw build's leftovers (make sure no build is running)
  --regions L   comma-separated regions, or "all" for every enabled region (default: --region)
  --bucket B    also delete staging objects in this bucket
${cloudFlagsHelp}
`,
    async run(argv, io) {
      const { values } = parseCommandArgs(
        argv,
        { ...cloudFlags, build: { type: "string" }, all: { type: "boolean" }, regions: { type: "string" }, bucket: { type: "string" } },
        "sweep",
      );
      if (!values.build && !values.all) throw new UsageError("expected `--build ID` or `--all`");
      const region = pickRegion(values.region);
      const regions = values.regions === "all" ? "all-enabled" : (values.regions?.split(",").map((r) => r.trim()) ?? [region]);
      const result = await sweep(
        {
          regions,
          ...(values.build ? { buildId: values.build } : {}),
          ...(values.bucket ? { stagingBucket: values.bucket, stagingRegion: region } : {}),
          dryRun: Boolean(values["dry-run"]),
        },
        makePorts({ region, profile: values.profile }),
        io.signal,
        createProgressRenderer(io, { json: Boolean(values.json) }),
      );
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const item of result.found) io.stdout(`  ${result.deleted ? "deleted" : "found"} ${item.kind} ${item.id} (${item.region})\n`);
        if (result.found.length === 0) io.stdout("nothing to sweep\n");
        for (const p of result.problems) io.stderr(`sweep: ${p}\n`);
      }
      return result.ok ? 0 : 1;
    },
  };
}

// `rtcgw retire --keep N`: deregisters old published AMIs, skipping those in use.
export function createRetireCommand(makePorts: MakeCloudPorts = makeSdkPorts): Command {
  return {
    name: "retire",
    help: `Usage: rtcgw retire [recipe] --keep N [options]

Options:
  --keep N      how many of the newest AMIs to keep per region (required, at least 1)
${cloudFlagsHelp}
`,
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(argv, { ...cloudFlags, keep: { type: "string" } }, "retire");
      const keep = Number(values.keep);
      if (!Number.isInteger(keep) || keep < 1) throw new UsageError(`expected \`--keep\` to be a positive integer, got \`${values.keep ?? "(none)"}\``);
      const path = resolveRecipeArgument(positionals, io.cwd, "retire");
      const checked = await checkRecipeFile(path, { cwd: io.cwd });
      if (!checked.ok) {
        printProblems(io, checked.problems, Boolean(values.json));
        return 1;
      }
      const ports = makePorts({ region: pickRegion(values.region, checked.recipe), profile: values.profile });
      const result = await retire(
        { recipe: checked.recipe, keep, dryRun: Boolean(values["dry-run"]) },
        ports,
        io.signal,
        createProgressRenderer(io, { json: Boolean(values.json) }),
      );
      if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else
        for (const r of result.regions) {
          io.stdout(
            `  ${r.region.padEnd(16)} keep ${r.kept.join(", ") || "-"}; ${values["dry-run"] ? "would retire" : "retired"} ${r.retired.join(", ") || "-"}${r.error ? `; ERROR ${r.error}` : ""}\n`,
          );
          for (const s of r.skipped) io.stdout(`  ${"".padEnd(16)} skipped ${s.imageId}: ${s.reason}\n`);
        }
      return result.ok ? 0 : 1;
    },
  };
}

/** The commands over real AWS. */
export const sweepCommand = createSweepCommand();
/** The retire command over real AWS. */
export const retireCommand = createRetireCommand();
