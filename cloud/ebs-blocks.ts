// The rules of an upload through the EBS direct APIs, as pure functions: the block size, which blocks are sent (only
// those holding a non-zero byte: an unwritten block of a snapshot reads as zeros), each block's checksum, the volume size
// a disk needs, and which errors a block is sent again on.
import { createHash } from "node:crypto";
import type { CloudError } from "./ports.ts";

/** The EBS direct APIs' block size: every PutSnapshotBlock carries exactly this many bytes at a multiple of it. */
export const ebsBlockSize = 524_288;

const gib = 1024 ** 3;
const zeroBlock = new Uint8Array(ebsBlockSize);

/** Blocks sent at once: EBS allows far more per snapshot, but 8 × 512 KiB in flight keeps a home uplink full without queueing. */
export const defaultUploadParallelism = 8;

/** Minutes a started snapshot may go without a block or CompleteSnapshot before EBS puts it in `error` (StartSnapshot's Timeout). */
export const defaultSnapshotTimeoutMinutes = 60;

/** EBS errors that say "try again" (beyond the throttling codes retry.ts knows for every service). */
export const ebsRetryCodes = ["RequestThrottledException", "InternalServerException", "ConcurrentLimitExceededException"] as const;

// Whether an error is EBS refusing a block whose bytes did not match their checksum on arrival: sent again, checksum recomputed.
export function isChecksumMismatch(error: CloudError): boolean {
  return error.code === "ValidationException" && /checksum/i.test(error.message);
}

// Whether every byte of a block is zero (such a block is never sent).
export function isZeroBlock(block: Uint8Array): boolean {
  return block.byteLength === ebsBlockSize && Buffer.compare(block, zeroBlock) === 0;
}

// The base64 SHA-256 PutSnapshotBlock's x-amz-Checksum carries.
export function blockChecksum(block: Uint8Array): string {
  return createHash("sha256").update(block).digest("base64");
}

// The snapshot's volume size for a disk of that many bytes: whole GiB, at least 1.
export function volumeSizeGiBFor(logicalBytes: number): number {
  return Math.max(1, Math.ceil(logicalBytes / gib));
}
