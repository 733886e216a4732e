import { readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A UDP port range, both ends included. */
export interface PortRange {
  min: number;
  max: number;
}

// Where the rtpengines of tests and benchmarks take their media ports: below the kernel's ephemeral ports.
// rtpengine binds its media sockets with SO_REUSEADDR, and so do Kamailio and sipp; Linux lets two UDP sockets that
// both set it bind the same address and port, and delivers datagrams to the later one. An rtpengine whose range
// overlapped the ephemeral ports (where findFreePorts finds the proxies' ports) took a proxy's SIP port as a media
// port once its allocation reached it, and the proxy heard nothing more: the CPS benchmark's anchored 600 step
// (24000 media ports) failed every time with 4 of 5000 calls through the stock proxy (`ss -uanp` showed rtpengine
// on its SIP port), and rtcgw's calls piled up to 503.
export const rtpPortBand: PortRange = { min: 8192, max: 32767 };

// Reservations are whole blocks of 64 ports, one lock file each in a folder shared by every process on this machine
// (test files run in parallel processes): the file holds the owner's PID, and a file whose owner is gone is taken over.
const blockSize = 64;
const held = new Set<string>();

/** Where reservations are made: the band and the lock folder (another pair only in the reservation's own test). */
export interface PortLocks {
  band: PortRange;
  dir: string;
}

const machineLocks: PortLocks = { band: rtpPortBand, dir: join(tmpdir(), "rtcgw-rtp-ports") };

/** A reserved range; `release()` gives it back (also done when this process exits). */
export interface ReservedPorts extends PortRange {
  release(): void;
  /**
   * Names `pid` as the owner from now on: the process that binds the ports. Its blocks then stay taken while it runs,
   * also when this process is killed first (an rtpengine orphaned by a kill -9 keeps its sockets).
   */
  handOver(pid: number): void;
}

// Reserves `count` consecutive ports of the band that no other rtpengine of a test or benchmark on this machine holds.
export function reserveRtpPorts(count: number, locks: PortLocks = machineLocks): ReservedPorts {
  const { band, dir } = locks;
  checkEphemeralRange(band);
  const blockCount = Math.floor((band.max - band.min + 1) / blockSize);
  const blocks = Math.ceil(count / blockSize);
  if (blocks > blockCount) throw new Error(`${count} media ports do not fit in the band ${band.min}-${band.max} (${blockCount * blockSize} ports)`);
  mkdirSync(dir, { recursive: true });
  // First fit: the lowest free run of blocks. A run that meets a held block cannot start before the block after it.
  for (let first = 0; first + blocks <= blockCount;) {
    const taken: string[] = [];
    for (let block = first; block < first + blocks; block++) {
      const path = join(dir, String(block));
      if (!lockBlock(path)) break;
      taken.push(path);
    }
    if (taken.length === blocks) {
      const min = band.min + first * blockSize;
      return {
        min,
        max: min + count - 1,
        release: () => taken.forEach(unlockBlock),
        handOver: (pid) => taken.forEach((path) => writeFileSync(path, String(pid))),
      };
    }
    taken.forEach(unlockBlock);
    first += taken.length + 1;
  }
  throw new Error(
    `no ${count} free media ports in ${band.min}-${band.max}: other tests or benchmarks hold them (the lock files in ${dir} name their rtpengine processes; one left running by a killed run holds its ports until it ends)`,
  );
}

// Takes one block: false when another live process holds it. Any other failure (a lock folder this user may not
// write) is thrown as it is, not reported as ports in use.
function lockBlock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: "wx" });
      held.add(path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        throw new Error(
          `cannot write the media port lock ${path} (${code}): run tests and benchmarks as the user that owns ${dirname(path)}, or remove that folder`,
          { cause: error },
        );
      }
      if (!isStale(path)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

function unlockBlock(path: string): void {
  if (held.delete(path)) rmSync(path, { force: true });
}

// A lock whose owner process has ended. An empty file is being written by its owner: not stale.
function isStale(path: string): boolean {
  const pid = Number(readFileSafely(path));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function readFileSafely(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

function checkEphemeralRange(band: PortRange): void {
  const range = readFileSafely("/proc/sys/net/ipv4/ip_local_port_range");
  const low = Number(range.split(/\s+/)[0]);
  if (range !== "" && low <= band.max) {
    throw new Error(
      `the kernel's ephemeral ports start at ${low}, inside the media band ${band.min}-${band.max}: ` +
        `set net.ipv4.ip_local_port_range to start above ${band.max} (sysctl -w net.ipv4.ip_local_port_range="32768 60999")`,
    );
  }
}

process.once("exit", () => [...held].forEach(unlockBlock));
