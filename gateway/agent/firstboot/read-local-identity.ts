import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import type { InstanceIdentity } from "./read-instance-identity.ts";

// The identity outside EC2 (local image, a VM without metadata service): `local-` + the machine id,
// no region (so no license lookup: demo mode) and the first non-loopback IPv4.
export async function readLocalIdentity(root: string): Promise<InstanceIdentity> {
  const machineId = (await readFile(join(root, "etc/machine-id"), "utf8").catch(() => "")).trim();
  const id = /^[0-9a-f]{32}$/.test(machineId) ? machineId.slice(0, 17) : "00000000000000000";
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === "IPv4" && !entry.internal)?.address;
  return { instanceId: `local-${id}`, region: "", localIpv4: address ?? "127.0.0.1", publicIpv4: undefined };
}
