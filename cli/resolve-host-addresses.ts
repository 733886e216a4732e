import { lookup } from "node:dns/promises";
import { isIpAddress } from "../dsl/patterns.ts";

// The addresses a PBX host name resolves to here (hosts file, then DNS), or none when it does not
// resolve within `timeoutMs`. An IP address is returned as it is.
export async function resolveHostAddresses(host: string, timeoutMs = 3000): Promise<string[]> {
  if (isIpAddress(host)) return [host];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  try {
    const found = lookup(host, { all: true, verbatim: true }).then(
      (addresses) => [...new Set(addresses.map((a) => a.address))],
      () => [],
    );
    return await Promise.race([found, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
