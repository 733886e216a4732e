// Before a build does anything, what earlier attempts left goes: a failed, interrupted or killed (`kill -9`) run of
// rtcgw may have left instances, a security group, the role and instance profile (whose names a rerun reuses: IAM then
// answers EntityAlreadyExists), the staging bundle or a candidate image. Two places know of them:
//  - the journal file: every temporary resource is journaled as soon as its id is known, whichever build it was for;
//  - the cloud: a crash between a create call and its journal entry leaves a resource only its `rtcgw:build` tag names
//    (the journal names the build and its region: it is opened before anything is created).
// Every path through a build (new image or reused one) settles both first.
import { cleanupLeftovers, cleanupTemporary, deregisterWithSnapshots } from "../../../cloud/cleanup-temporary.ts";
import { findLeftovers } from "../../../cloud/find-leftovers.ts";
import { openJournal, readJournal, recordTemporary, startAttempt, type JournalFile } from "../../../cloud/journal.ts";
import { isSmokeTested } from "../../../cloud/naming.ts";
import type { ImageRecord } from "../../../cloud/ports.ts";
import type { CloudRun } from "../../../cloud/cloud-run.ts";

// Deletes the live temporary resources the journal file lists (of any build), together with what carries that build's tag
// in its region but the journal missed: one cleanup, so that its order holds across both (the instance before its
// security group, the instance profile before its role). Returns the build id settled and the deletions that failed.
export async function settleJournalFile(run: CloudRun, journalPath: string): Promise<{ buildId?: string; problems: string[] }> {
  const journal = readJournal(journalPath);
  if (!journal) return { problems: [] };
  const missed = await findLeftovers(run, { regions: [journal.sourceRegion], buildId: journal.buildId });
  if (missed.length === 0 && !journal.temporary.some((r) => !r.deleted)) return { buildId: journal.buildId, problems: [] };
  const file = openJournal(journalPath, journal);
  for (const resource of missed) recordTemporary(file, resource);
  return { buildId: journal.buildId, problems: await cleanupTemporary(run, file) };
}

// Deletes what carries the build's tag in its region (and its role and profile) when no journal of that build was settled.
export async function removeBuildLeftovers(run: CloudRun, region: string, buildId: string): Promise<string[]> {
  const found = await findLeftovers(run, { regions: [region], buildId });
  return found.length === 0 ? [] : cleanupLeftovers(run, found);
}

/** The build a new attempt belongs to (its journal is opened for it). */
export interface AttemptOf {
  journalPath: string;
  recipe: { name: string; version: string };
  region: string;
  buildId: string;
  amiName: string;
  account: string;
}

/** How a build goes on once earlier attempts are settled: a new attempt, the reuse of a smoke-tested image, or a refusal. */
export type AttemptStart =
  | { kind: "start"; journal: JournalFile; attempt: number }
  | { kind: "reused"; imageId: string; problems: string[] }
  | { kind: "blocked"; error: string; problems: string[] };

// Opens the build's journal, removes what carries the build's tag when the journal settled was another build's (or there was
// none), then reuses an image of this build that passed its smoke test, refuses to start over leftovers that could not be
// removed, or deregisters this build's stale images and numbers a new attempt (each attempt has ClientTokens of its own).
export async function startBuildAttempt(
  run: CloudRun,
  build: AttemptOf,
  settled: { buildId?: string; problems: string[] },
  existing: ImageRecord[],
): Promise<AttemptStart> {
  const { buildId, region } = build;
  const journal = openJournal(build.journalPath, {
    version: 1,
    buildId,
    recipe: build.recipe.name,
    recipeVersion: build.recipe.version,
    amiName: build.amiName,
    sourceRegion: region,
    account: build.account,
    temporary: [],
    regions: {},
  });
  const problems = [...settled.problems, ...(settled.buildId === buildId ? [] : await removeBuildLeftovers(run, region, buildId))];
  const reusable = existing.find((i) => i.state === "available" && isSmokeTested(i.tags));
  if (reusable) return { kind: "reused", imageId: reusable.imageId, problems };
  if (problems.length > 0) {
    return {
      kind: "blocked",
      error: `what an earlier attempt of build ${buildId} left could not all be removed, so this one would collide with it: fix the cause below and run again, or run \`rtcgw sweep --build ${buildId}\``,
      problems,
    };
  }
  for (const stale of existing) await deregisterWithSnapshots(run, region, stale.imageId);
  return { kind: "start", journal, attempt: startAttempt(journal) };
}
