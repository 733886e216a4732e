// Human-readable output of the AWS stages' typed results.
import type { BuildResult } from "../../image/builders/aws/build-aws-image.ts";
import { formatPlan } from "../../regions/plan-publish.ts";
import type { PreflightProblem } from "../../cloud/preflight-problem.ts";
import type { PublishResult } from "../../regions/publish-image.ts";
import type { CommandIo } from "../command.ts";

// Every pre-flight problem, one per line, grouped by region.
export function printPreflightProblems(io: CommandIo, problems: readonly PreflightProblem[]): void {
  io.stderr(`pre-flight found ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was created:\n`);
  for (const p of problems) io.stderr(`  ${p.region ? `${p.region}: ` : ""}${p.message}\n`);
}

// A build's outcome (failure: step, error, log tail, cleanup problems).
export function printBuildResult(io: CommandIo, result: BuildResult): void {
  if (result.kind === "preflight-failed") {
    printPreflightProblems(io, result.problems);
    for (const p of result.cleanupProblems) io.stderr(`cleanup of an earlier run: ${p} (run \`rtcgw sweep --all\`)\n`);
    return;
  }
  if (result.kind === "built" || result.kind === "reused") io.stdout(`${result.kind} ${result.imageId} (${result.amiName}) in ${result.region}\n`);
  if (result.kind === "failed") {
    io.stderr(`build failed at ${result.step}: ${result.error}\n`);
    if (result.logTail) io.stderr(`--- last lines of the log ---\n${result.logTail}\n---\n`);
  }
  if (result.kind === "aborted") io.stderr(`build interrupted at ${result.step}; temporary resources removed\n`);
  if ("cleanupProblems" in result) for (const p of result.cleanupProblems) io.stderr(`cleanup: ${p} (run \`rtcgw sweep --build ${result.buildId}\`)\n`);
}

// A publish's outcome: the plan, or per-region status and artifact URLs.
export function printPublishResult(io: CommandIo, result: PublishResult): void {
  if (result.kind === "preflight-failed") return printPreflightProblems(io, result.problems);
  if (result.kind === "failed") return void io.stderr(`publish failed: ${result.error}\n`);
  if (result.kind === "planned") return void io.stdout(`${formatPlan(result.plan)}\n`);
  if (result.kind === "aborted") {
    io.stderr("publish interrupted; copies in flight keep going in AWS: run `rtcgw publish --resume` to finish\n");
    for (const [region, entry] of Object.entries(result.regions)) io.stderr(`  ${region.padEnd(16)} ${entry.status} ${entry.imageId ?? ""}\n`);
    return;
  }
  for (const r of result.regions) io.stdout(`  ${r.region.padEnd(16)} ${r.ok ? `published ${r.imageId}` : `FAILED: ${r.error}`}\n`);
  io.stdout(`go page: ${result.artifacts.urls.goPage}\nmanifest: ${result.artifacts.urls.manifest}\n`);
  const { access, bucket } = result.artifacts;
  const readers =
    access.readers === "everyone"
      ? "everyone (Launch stack works from any account)"
      : access.readers === "accounts"
        ? "the shared accounts"
        : "this account only";
  io.stdout(`s3://${bucket}/${access.prefix}* readable by ${readers}; staging/ and logs/ stay private\n`);
  if (result.kind === "partial") io.stderr("some regions failed; the others stay published: fix the cause and run `rtcgw publish --resume`\n");
}
