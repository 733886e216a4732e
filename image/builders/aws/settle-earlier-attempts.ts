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
import type { CloudPorts } from "../../../cloud/ports.ts";

// Deletes the live temporary resources the journal file lists (of any build), together with what carries that build's tag
// in its region but the journal missed: one cleanup, so that its order holds across both (the instance before its
// security group, the instance profile before its role). Returns the build id settled and the deletions that failed.
export async function settleJournalFile(ports: CloudPorts, journalPath: string, signal?: AbortSignal): Promise<{ buildId?: string; problems: string[] }> {
  const journal = readJournal(journalPath);
  if (!journal) return { problems: [] };
  const missed = await findLeftovers(ports, { regions: [journal.sourceRegion], buildId: journal.buildId }, signal);
  if (missed.length === 0 && !journal.temporary.some((r) => !r.deleted)) return { buildId: journal.buildId, problems: [] };
  const file = openJournal(journalPath, journal);
  for (const resource of missed) recordTemporary(file, resource);
  return { buildId: journal.buildId, problems: await cleanupTemporary(ports, file) };
}

// Deletes what carries the build's tag in its region (and its role and profile) when no journal of that build was settled.
export async function removeBuildLeftovers(ports: CloudPorts, region: string, buildId: string, signal?: AbortSignal): Promise<string[]> {
  const found = await findLeftovers(ports, { regions: [region], buildId }, signal);
  return found.length === 0 ? [] : cleanupLeftovers(ports, found);
}
