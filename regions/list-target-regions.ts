import type { CloudRun } from "../cloud/cloud-run.ts";

// The regions to look in: the given list, or every region enabled for the account.
export async function listTargetRegions(regions: readonly string[] | "all-enabled", run: CloudRun): Promise<string[]> {
  if (regions !== "all-enabled") return [...regions];
  const { ports, withRetry } = run;
  const known = await withRetry(() => ports.ec2.describeRegions());
  return known
    .filter((r) => r.optInStatus !== "not-opted-in")
    .map((r) => r.name)
    .sort();
}
