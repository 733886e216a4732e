// Before a build does anything, what earlier attempts left goes: a failed, interrupted or killed (`kill -9`) run of
// rtcgw may have left instances, a security group, the role and instance profile (whose names a rerun reuses: IAM then
// answers EntityAlreadyExists), the staging bundle or a candidate image. Two places know of them:
//  - the journal file: every temporary resource is journaled as soon as its id is known, whichever build it was for;
//  - the cloud: a crash between a create call and its journal entry leaves a resource only its `rtcgw:build` tag names.
// Every path through a build (new image or reused one) settles both first.
import { cleanupLeftovers, cleanupTemporary } from "../../../cloud/cleanup-temporary.ts";
import { findLeftovers } from "../../../cloud/find-leftovers.ts";
import { openJournal, readJournal } from "../../../cloud/journal.ts";
import type { CloudPorts } from "../../../cloud/ports.ts";

// Deletes the live temporary resources the journal file lists (of any build); returns the deletions that failed.
export async function settleJournalFile(ports: CloudPorts, journalPath: string): Promise<string[]> {
  const journal = readJournal(journalPath);
  if (!journal?.temporary.some((r) => !r.deleted)) return [];
  return cleanupTemporary(ports, openJournal(journalPath, journal));
}

// Deletes what carries the build's tag in its region (and its role and profile) but no journal lists.
export async function removeBuildLeftovers(ports: CloudPorts, region: string, buildId: string, signal?: AbortSignal): Promise<string[]> {
  const found = await findLeftovers(ports, { regions: [region], buildId }, signal);
  return found.length === 0 ? [] : cleanupLeftovers(ports, found);
}
