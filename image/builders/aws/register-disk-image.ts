// Registers the AMI of an uploaded disk snapshot: root device /dev/xvda (gp3, deleted on termination), ENA, the boot mode
// of the disk rtcgw builds, IMDSv2 only, tagged at creation as a candidate (journaled at once: deregistered with the
// build's other temporary resources unless it passes the smoke check), and waits until it is available.
import { recordTemporary, type JournalFile } from "../../../cloud/journal.ts";
import type { BootMode, CloudPorts, Tags } from "../../../cloud/ports.ts";
import type { WithRetry } from "../../../cloud/retry.ts";
import { waitFor } from "../../../cloud/wait.ts";

/** The disk has GRUB for BIOS (bios_grub partition) and UEFI (ESP): it boots either way, so the instance type chooses, UEFI first. */
export const diskBootMode: BootMode = "uefi-preferred";

/** The AMI to register. */
export interface DiskImageInput {
  name: string;
  /** Names the bundle hash, so an AMI says which recipe build it carries. */
  description: string;
  snapshotId: string;
  /** The root volume: the recipe's disk size (first boot grows the root file system to it), at least the snapshot's. */
  volumeSizeGiB: number;
  arch: "amd64" | "arm64";
  tags: Tags;
}

// RegisterImage, journal, wait for `available` (`failed` fails with EC2's reason).
export async function registerDiskImage(
  ctx: { ports: CloudPorts; journal: JournalFile; region: string; withRetry: WithRetry; signal?: AbortSignal | undefined },
  input: DiskImageInput,
): Promise<string> {
  const { ports, journal, region, withRetry, signal } = ctx;
  const imageId = await withRetry(() =>
    ports.ec2.registerImage(region, {
      name: input.name,
      description: input.description,
      snapshotId: input.snapshotId,
      volumeSizeGiB: input.volumeSizeGiB,
      architecture: input.arch === "arm64" ? "arm64" : "x86_64",
      bootMode: diskBootMode,
      tags: input.tags,
    }),
  );
  recordTemporary(journal, { kind: "candidate-image", region, id: imageId });
  await waitFor(
    async () => {
      const [image] = await withRetry(() => ports.ec2.describeImages(region, { imageIds: [imageId] }), { retryCodes: ["InvalidAMIID.NotFound"] });
      if (image?.state === "failed") throw new Error(`RegisterImage of ${input.snapshotId} in ${region} failed: ${image.stateReason ?? "EC2 gave no reason"}`);
      return image?.state === "available" ? true : undefined;
    },
    { clock: ports.clock, what: `image ${imageId} in ${region}`, budgetMs: 30 * 60_000, intervalMs: 10_000, signal },
  );
  return imageId;
}
