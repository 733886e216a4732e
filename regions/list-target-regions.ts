import type { CloudPorts } from "../cloud/ports.ts";
import { bindRetry } from "../cloud/retry.ts";

// The regions to look in: the given list, or every region enabled for the account.
export async function listTargetRegions(regions: readonly string[] | "all-enabled", ports: CloudPorts, signal?: AbortSignal): Promise<string[]> {
  if (regions !== "all-enabled") return [...regions];
  const withRetry = bindRetry({ clock: ports.clock, signal });
  const known = await withRetry(() => ports.ec2.describeRegions());
  return known
    .filter((r) => r.optInStatus !== "not-opted-in")
    .map((r) => r.name)
    .sort();
}
