// The EBS direct APIs of the fake cloud (StartSnapshot, PutSnapshotBlock, CompleteSnapshot) over its snapshots: 512 KiB
// blocks checked against their SHA-256, sparse storage (unwritten blocks read as zeros), the snapshot's Timeout on the
// virtual clock (no write and no completion for that long: `error`), pending → completed some time after CompleteSnapshot.
import { createHash } from "node:crypto";
import { CloudError, type EbsPort, type SnapshotRecord } from "../../../cloud/ports.ts";
import { encryptionIn } from "./account-settings.ts";
import { withClientToken, type FakeContext, type FakeSnapshot } from "./fake-state.ts";

/** The only block size the EBS direct APIs use. */
export const ebsBlockSize = 524_288;
const blocksPerGiB = 1024 ** 3 / ebsBlockSize;

// Where a snapshot is now, derived from the virtual clock (a snapshot made with an image is completed).
export function snapshotState(ctx: FakeContext, snapshot: FakeSnapshot): Pick<SnapshotRecord, "state" | "stateMessage"> {
  const upload = snapshot.direct;
  if (!upload) return { state: "completed" };
  if (upload.error) return { state: "error", stateMessage: upload.error };
  if (upload.completedAt !== undefined) return { state: ctx.clock.now() >= upload.completedAt + ctx.timings.snapshotCompleteMs ? "completed" : "pending" };
  if (ctx.clock.now() > upload.lastActivityAt + upload.timeoutMinutes * 60_000)
    return { state: "error", stateMessage: `no block was written and CompleteSnapshot was not called for ${upload.timeoutMinutes} minutes (Timeout)` };
  return { state: "pending" };
}

// The bytes of one block as a volume made from the snapshot would read them: unwritten blocks are zeros.
export function readSnapshotBlock(snapshot: FakeSnapshot, blockIndex: number): Uint8Array {
  return snapshot.direct?.blocks.get(blockIndex) ?? new Uint8Array(ebsBlockSize);
}

// The EBS port of the fake cloud. Throttling (`faults.throttleNext`) answers with EBS's own RequestThrottledException.
export function createFakeEbs(ctx: FakeContext): EbsPort {
  const { state, faults, clock } = ctx;
  const enter = (operation: string, region: string) => {
    faults.onCall?.(operation, region);
    if (faults.throttleNext > 0) {
      faults.throttleNext--;
      throw new CloudError("RequestThrottledException", `Rate exceeded (${operation}): ACCOUNT_THROTTLED`);
    }
  };
  const pendingUpload = (region: string, snapshotId: string) => {
    const snapshot = state.snapshots.find((s) => s.region === region && s.snapshotId === snapshotId && !s.deleted);
    if (!snapshot?.direct) throw new CloudError("ResourceNotFoundException", `The snapshot ${snapshotId} does not exist in ${region}: SNAPSHOT_NOT_FOUND`);
    const { state: now, stateMessage } = snapshotState(ctx, snapshot);
    if (now !== "pending" || snapshot.direct.completedAt !== undefined)
      throw new CloudError(
        "ValidationException",
        `The snapshot ${snapshotId} is ${now}${stateMessage ? ` (${stateMessage})` : ""}, not pending: INVALID_SNAPSHOT_ID`,
      );
    return snapshot.direct;
  };
  return {
    async startSnapshot(region, input) {
      enter("StartSnapshot", region);
      if (!Number.isInteger(input.volumeSizeGiB) || input.volumeSizeGiB < 1 || input.volumeSizeGiB > 65_536)
        throw new CloudError("ValidationException", `VolumeSize ${input.volumeSizeGiB} is not a whole number of GiB from 1 to 65536: INVALID_VOLUME_SIZE`);
      if (!Number.isInteger(input.timeoutMinutes) || input.timeoutMinutes < 10 || input.timeoutMinutes > 4320)
        throw new CloudError("ValidationException", `Timeout ${input.timeoutMinutes} is not 10 to 4320 minutes: INVALID_PARAMETER_VALUE`);
      const snapshotId = withClientToken(ctx, `${region}:StartSnapshot`, input.clientToken, input, () => {
        const id = ctx.nextId("snap");
        state.snapshots.push({
          snapshotId: id,
          region,
          tags: { ...input.tags },
          ...encryptionIn(ctx, region, false),
          accounts: [],
          deleted: false,
          direct: {
            volumeSizeGiB: input.volumeSizeGiB,
            blocks: new Map(),
            timeoutMinutes: input.timeoutMinutes,
            lastActivityAt: clock.now(),
            description: input.description,
          },
        });
        return id;
      });
      return { snapshotId, blockSize: ebsBlockSize };
    },
    async putSnapshotBlock(region, input) {
      enter("PutSnapshotBlock", region);
      const upload = pendingUpload(region, input.snapshotId);
      if (!Number.isInteger(input.blockIndex) || input.blockIndex < 0 || input.blockIndex >= upload.volumeSizeGiB * blocksPerGiB)
        throw new CloudError("ValidationException", `Block index ${input.blockIndex} is outside the ${upload.volumeSizeGiB} GiB volume: INVALID_BLOCK`);
      if (input.data.byteLength !== ebsBlockSize)
        throw new CloudError("ValidationException", `The block data is ${input.data.byteLength} bytes; blocks are ${ebsBlockSize} bytes: INVALID_BLOCK`);
      const received = Uint8Array.from(input.data);
      if ((faults.corruptNextBlocks ?? 0) > 0) {
        faults.corruptNextBlocks!--;
        received[received.length >> 1]! ^= 0xff;
      }
      if (createHash("sha256").update(received).digest("base64") !== input.checksum)
        throw new CloudError("ValidationException", `The checksum of block ${input.blockIndex} does not match its data: INVALID_PARAMETER_VALUE`);
      upload.blocks.set(input.blockIndex, received);
      upload.lastActivityAt = clock.now();
    },
    async completeSnapshot(region, snapshotId, changedBlocksCount) {
      enter("CompleteSnapshot", region);
      const snapshot = state.snapshots.find((s) => s.region === region && s.snapshotId === snapshotId && !s.deleted);
      // A repeated CompleteSnapshot (its first answer lost) is answered with the state the first one started.
      if (snapshot?.direct?.completedAt !== undefined) return snapshotState(ctx, snapshot).state;
      const upload = pendingUpload(region, snapshotId);
      upload.completedAt = clock.now();
      if (changedBlocksCount !== upload.blocks.size)
        upload.error = `ChangedBlocksCount ${changedBlocksCount} does not match the ${upload.blocks.size} blocks written`;
      else if (faults.snapshotFailsAfterComplete) upload.error = "the snapshot could not be completed: internal error";
      return snapshotState(ctx, snapshot!).state;
    },
  };
}
