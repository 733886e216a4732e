// Where packets were dropped: the kernel's per-socket UDP drop counters (/proc/net/udp), so the media
// benchmark can tell losses at rtpengine's sockets from losses at the load generator's own sockets.
import { readFileSync } from "node:fs";

// Sums the drop counters of 127.0.0.1 UDP sockets whose local port `isCounted` accepts.
export function loopbackUdpDrops(isCounted: (port: number) => boolean): number {
  let drops = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [address, port] = (fields[1] ?? "").split(":");
    if (address !== "0100007F" || port === undefined || !isCounted(parseInt(port, 16))) continue;
    drops += Number(fields[12] ?? 0);
  }
  return drops;
}
