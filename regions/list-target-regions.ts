import type { CloudPorts } from "../cloud/ports.ts";
import { callWithRetry } from "../cloud/retry.ts";

// The regions to look in: the given list, or every region enabled for the account.
export async function listTargetRegions(regions: readonly string[] | "all-enabled", ports: CloudPorts, signal?: AbortSignal): Promise<string[]> {
  if (regions !== "all-enabled") return [...regions];
  const known = await callWithRetry(() => ports.ec2.describeRegions(), { clock: ports.clock, signal });
  return known.filter((r) => r.optInStatus !== "not-opted-in").map((r) => r.name).sort();
}
