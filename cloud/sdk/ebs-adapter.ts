// The EBS direct APIs port over the real @aws-sdk/client-ebs client, one per region.
import { CompleteSnapshotCommand, EBSClient, PutSnapshotBlockCommand, StartSnapshotCommand } from "@aws-sdk/client-ebs";
import type { EbsPort } from "../ports.ts";
import { clientConfig, mapSdkError, perRegion, toTagList, type SdkOptions } from "./client-options.ts";

// StartSnapshot, PutSnapshotBlock (the body unsigned, so the SHA-256 checksum header carries its integrity) and CompleteSnapshot.
export function createEbsAdapter(options: SdkOptions): EbsPort {
  const ebs = perRegion((region) => new EBSClient(clientConfig(options, region)));
  return {
    async startSnapshot(region, input) {
      const out = await mapSdkError(() =>
        ebs(region).send(
          new StartSnapshotCommand({
            VolumeSize: input.volumeSizeGiB,
            Description: input.description,
            Tags: toTagList(input.tags),
            ClientToken: input.clientToken,
            Timeout: input.timeoutMinutes,
          }),
        ),
      );
      return { snapshotId: out.SnapshotId ?? "", blockSize: out.BlockSize ?? 0 };
    },
    async putSnapshotBlock(region, input) {
      await mapSdkError(() =>
        ebs(region).send(
          new PutSnapshotBlockCommand({
            SnapshotId: input.snapshotId,
            BlockIndex: input.blockIndex,
            BlockData: input.data,
            DataLength: input.data.byteLength,
            Checksum: input.checksum,
            ChecksumAlgorithm: "SHA256",
          }),
        ),
      );
    },
    async completeSnapshot(region, snapshotId, changedBlocksCount) {
      const out = await mapSdkError(() => ebs(region).send(new CompleteSnapshotCommand({ SnapshotId: snapshotId, ChangedBlocksCount: changedBlocksCount })));
      return out.Status === "completed" || out.Status === "error" ? out.Status : "pending";
    },
  };
}
