// Puts a tested disk image on EBS as a snapshot through the EBS direct APIs: StartSnapshot (journaled as temporary
// before the first block, so a killed run's snapshot is removed by the next run's settle step), the blocks that hold
// data in parallel (bounded), each retried on throttling and on a checksum mismatch, the disk's SHA-256 checked against
// the tested one before CompleteSnapshot, then a wait until EC2 says `completed` (`error` fails, with EBS's reason).
import { statSync } from "node:fs";
import {
  blockChecksum,
  defaultSnapshotTimeoutMinutes,
  defaultUploadParallelism,
  ebsRetryCodes,
  isChecksumMismatch,
  volumeSizeGiBFor,
} from "../../../cloud/ebs-blocks.ts";
import { recordTemporary, type JournalFile } from "../../../cloud/journal.ts";
import type { CloudPorts, Tags } from "../../../cloud/ports.ts";
import type { WithRetry } from "../../../cloud/retry.ts";
import { waitFor } from "../../../cloud/wait.ts";
import { readDiskBlocks, type DiskBlock } from "../../disk/read-disk-blocks.ts";

/** The disk to upload: a raw image or its `.zst`; `sha256` and `logicalBytes` of the raw disk as tested (a `.zst` needs `logicalBytes`). */
export interface DiskToUpload {
  path: string;
  sha256?: string;
  logicalBytes?: number;
}

/** How the snapshot is made. */
export interface SnapshotSpec {
  description: string;
  tags: Tags;
  clientToken: string;
  /** @default defaultUploadParallelism */
  parallelism?: number;
  /** @default defaultSnapshotTimeoutMinutes */
  timeoutMinutes?: number;
}

/** Where and with what the upload runs. */
export interface UploadContext {
  ports: CloudPorts;
  journal: JournalFile;
  region: string;
  withRetry: WithRetry;
  signal?: AbortSignal | undefined;
}

/** A completed snapshot of the disk. */
export interface UploadedSnapshot {
  snapshotId: string;
  volumeSizeGiB: number;
  sha256: string;
  logicalBytes: number;
  /** Blocks sent (the disk's non-zero 512 KiB blocks) and their bytes. */
  changedBlocks: number;
  uploadedBytes: number;
}

/** How far an upload is. */
export interface UploadProgress {
  blocksSent: number;
  bytesSent: number;
}

// Uploads the disk and waits for its snapshot to complete.
export async function uploadDiskToSnapshot(
  ctx: UploadContext,
  disk: DiskToUpload,
  spec: SnapshotSpec,
  onProgress?: (progress: UploadProgress) => void,
): Promise<UploadedSnapshot> {
  const { ports, journal, region, withRetry, signal } = ctx;
  const logicalBytes = disk.logicalBytes ?? (disk.path.endsWith(".zst") ? undefined : statSync(disk.path).size);
  if (logicalBytes === undefined) throw new Error(`${disk.path}: the size of the raw disk is not known (pass the manifest's disk.logicalBytes)`);
  const volumeSizeGiB = volumeSizeGiBFor(logicalBytes);
  const ebsRetry = { retryCodes: ebsRetryCodes };
  const { snapshotId } = await withRetry(
    () =>
      ports.ebs.startSnapshot(region, {
        volumeSizeGiB,
        description: spec.description,
        tags: spec.tags,
        clientToken: spec.clientToken,
        timeoutMinutes: spec.timeoutMinutes ?? defaultSnapshotTimeoutMinutes,
      }),
    ebsRetry,
  );
  recordTemporary(journal, { kind: "snapshot", region, id: snapshotId });
  const stop = new AbortController();
  const stopOn = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const reader = readDiskBlocks(disk.path, stopOn);
  const progress: UploadProgress = { blocksSent: 0, bytesSent: 0 };
  const sendBlock = async (block: DiskBlock) => {
    // The checksum is computed for each attempt from the bytes sent: a block refused as corrupted on the way goes again whole.
    await withRetry(() => ports.ebs.putSnapshotBlock(region, { snapshotId, blockIndex: block.index, data: block.data, checksum: blockChecksum(block.data) }), {
      ...ebsRetry,
      retryIf: isChecksumMismatch,
    });
    progress.blocksSent++;
    progress.bytesSent += block.data.byteLength;
    onProgress?.({ ...progress });
  };
  // Each worker pulls the next data block and sends it; the first failure stops them all (and the reader) before the
  // upload reports it, so no block is still on its way while the caller cleans up.
  let failure: unknown;
  const worker = async () => {
    try {
      while (!stop.signal.aborted) {
        const next = await reader.blocks.next();
        if (next.done) return;
        await sendBlock(next.value);
      }
    } catch (error) {
      failure ??= error;
      stop.abort();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, spec.parallelism ?? defaultUploadParallelism) }, worker));
  if (failure !== undefined) {
    await reader.blocks.return(undefined).catch(() => undefined);
    throw new Error(`uploading ${disk.path} to snapshot ${snapshotId} in ${region} failed: ${(failure as Error).message}`);
  }
  const read = reader.summary()!;
  if (read.logicalBytes !== logicalBytes || (disk.sha256 && read.sha256 !== disk.sha256))
    throw new Error(
      `${disk.path} is not the disk that was tested: ${read.logicalBytes} bytes, sha256 ${read.sha256}; the manifest says ${logicalBytes} bytes, sha256 ${disk.sha256 ?? "(not given)"}. Rebuild it (rtcgw build-ami) and run again; snapshot ${snapshotId} is removed with the build's temporary resources`,
    );
  const status = await withRetry(() => ports.ebs.completeSnapshot(region, snapshotId, progress.blocksSent), ebsRetry);
  await waitFor(
    async () => {
      const found = await withRetry(() => ports.ec2.describeSnapshot(region, snapshotId));
      const state = found?.state ?? status;
      if (state === "error")
        throw new Error(`snapshot ${snapshotId} in ${region} went to error after CompleteSnapshot: ${found?.stateMessage ?? "EBS gave no reason"}; run again`);
      return state === "completed" ? true : undefined;
    },
    { clock: ports.clock, what: `snapshot ${snapshotId} in ${region} to complete`, budgetMs: 2 * 3600_000, intervalMs: 15_000, signal },
  );
  return { snapshotId, volumeSizeGiB, sha256: read.sha256, logicalBytes, changedBlocks: progress.blocksSent, uploadedBytes: progress.bytesSent };
}
