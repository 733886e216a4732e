// Before a build does anything, what earlier attempts left goes: a failed, interrupted or killed (`kill -9`) run of
// rtcgw may have left instances, a security group, the role and instance profile (whose names a rerun reuses: IAM then
// answers EntityAlreadyExists), the staging bundle or a candidate image. Two places know of them:
//  - the journal file: every temporary resource is journaled as soon as its id is known, whichever build it was for;
//  - the cloud: a crash between a create call and its journal entry leaves a resource only its `rtcgw:build` tag names
//    (the journal names the build and its region: it is opened before anything is created).
// Every path through a build (new image or reused one) settles both first.
import { cleanupLeftovers, cleanupTemporary } from "../../../cloud/cleanup-temporary.ts";
import { findLeftovers } from "../../../cloud/find-leftovers.ts";
import { openJournal, readJournal, recordTemporary } from "../../../cloud/journal.ts";
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
