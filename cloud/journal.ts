import { readFileSync, existsSync } from "node:fs";
import { writeFileAtomicSync } from "../io/write-file-atomic.ts";

/** A temporary cloud resource, recorded as soon as its id is known. */
export interface JournalResource {
  kind: "instance" | "security-group" | "role" | "instance-profile" | "s3-object" | "command" | "candidate-image" | "snapshot" | "volume";
  region: string;
  id: string;
  deleted: boolean;
}

/** Where one region stands. */
export interface RegionEntry {
  status: "pending" | "copying" | "available" | "shared" | "published" | "failed";
  imageId?: string;
  snapshotIds?: string[];
  creationDate?: string;
  deprecationTime?: string;
  error?: string;
  /** Failed copies so far: the next CopyImage uses a new ClientToken. */
  failedAttempts?: number;
}

/** The disk image a build from disk put on EBS: the raw disk's SHA-256 as tested locally, and the snapshot holding its bytes. */
export interface DiskUpload {
  sha256: string;
  logicalBytes: number;
  snapshotId: string;
  /** Non-zero 512 KiB blocks sent, and their bytes. */
  changedBlocks: number;
  uploadedBytes: number;
}

/** Everything a crashed run needs to be resumed or cleaned up. */
export interface Journal {
  version: 1;
  buildId: string;
  recipe: string;
  recipeVersion: string;
  amiName: string;
  sourceRegion: string;
  sourceImageId?: string;
  account?: string;
  temporary: JournalResource[];
  /** Build attempts started so far: each attempt's RunInstances calls get a ClientToken of their own. */
  attempts?: number;
  regions: Record<string, RegionEntry>;
  artifacts?: { bucket: string; keys: string[] };
  /** Set by a build from the disk image (build-from-disk.ts): what manifest.json says the AMI holds. */
  disk?: DiskUpload;
}

/** A journal file kept in step with memory: every change is written before the caller goes on. */
export interface JournalFile {
  readonly path: string;
  read(): Journal;
  update(change: (journal: Journal) => void): void;
}

// Reads a journal file; undefined when there is none. Entries of kind `role-policy` (an inline policy of the builder role,
// journaled by older versions) are dropped: deleting the role now deletes its inline policies too.
export function readJournal(path: string): Journal | undefined {
  if (!existsSync(path)) return undefined;
  const journal = JSON.parse(readFileSync(path, "utf8")) as Journal;
  return { ...journal, temporary: journal.temporary.filter((r) => (r.kind as string) !== "role-policy") };
}

// Writes the journal atomically and durably.
export function writeJournal(path: string, journal: Journal): void {
  writeFileAtomicSync(path, `${JSON.stringify(journal, null, 2)}\n`);
}

// Opens (or starts) the journal of a build. A journal of another build that still lists live temporary resources or
// unpublished regions is kept beside it as `<path>.<build id>` (for `sweep` or a manual resume), never silently dropped.
export function openJournal(path: string, fresh: Journal): JournalFile {
  const existing = readJournal(path);
  if (existing && existing.buildId !== fresh.buildId && hasPendingWork(existing)) writeJournal(`${path}.${existing.buildId}`, existing);
  let journal = existing && existing.buildId === fresh.buildId ? existing : fresh;
  writeJournal(path, journal);
  return {
    path,
    read: () => journal,
    update(change) {
      const next = structuredClone(journal);
      change(next);
      writeJournal(path, next);
      journal = next;
    },
  };
}

// Whether a journal still has something to clean up or finish.
export function hasPendingWork(journal: Journal): boolean {
  return journal.temporary.some((r) => !r.deleted) || Object.values(journal.regions).some((r) => r.status !== "published");
}

// Records a temporary resource as live (idempotent). A resource made again under an id the journal already holds (a
// rerun reuses names: role, instance profile, staging key) is live again.
export function recordTemporary(file: JournalFile, resource: Omit<JournalResource, "deleted">): void {
  file.update((j) => {
    const known = j.temporary.find((r) => r.kind === resource.kind && r.id === resource.id);
    if (known) known.deleted = false;
    else j.temporary.push({ ...resource, deleted: false });
  });
}

// Starts a build attempt: its number, from 1 (kept in the journal, so a rerun after a crash counts on).
export function startAttempt(file: JournalFile): number {
  file.update((j) => void (j.attempts = (j.attempts ?? 0) + 1));
  return file.read().attempts!;
}

// Marks a temporary resource deleted.
export function markDeleted(file: JournalFile, kind: JournalResource["kind"], id: string): void {
  file.update((j) => {
    for (const r of j.temporary) if (r.kind === kind && r.id === id) r.deleted = true;
  });
}

// Sets part of a region's entry.
export function updateRegion(file: JournalFile, region: string, entry: Partial<RegionEntry>): void {
  file.update((j) => {
    j.regions[region] = { ...(j.regions[region] ?? { status: "pending" }), ...entry };
  });
}
