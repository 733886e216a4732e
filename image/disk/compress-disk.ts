// The stored form of the disk: zstd (multi-threaded, long window), written to a temp file and renamed;
// plus the raw disk's SHA-256 and its logical, allocated and compressed sizes for the manifest.
import { createHash } from "node:crypto";
import { createReadStream, renameSync, rmSync, statSync } from "node:fs";
import type { BuildLog } from "../builders/local/build-log.ts";
import { runKillable } from "../builders/local/run-killable.ts";

/** The manifest's record of the disk. */
export interface DiskRecord {
  file: string;
  /** SHA-256 of the raw (uncompressed) disk, hex. */
  sha256: string;
  logicalBytes: number;
  /** Bytes the raw disk occupies on this machine (its holes excluded): about what an upload moves. */
  allocatedBytes: number;
  compressedBytes: number;
  compression: string;
}

const zstdLevel = 10;

// Compresses `raw` to `compressed`; resolves to the record or an error message.
export async function compressDisk(raw: string, compressed: string, log: BuildLog, signal?: AbortSignal, niceness = 0): Promise<DiskRecord | string> {
  const temporary = `${compressed}.tmp-${process.pid}`;
  const argv = ["zstd", "-q", "-f", "-T0", `-${zstdLevel}`, "--long=27", raw, "-o", temporary];
  log.note(`$ ${argv.join(" ")}`);
  const result = await runKillable(argv, { log, ...(signal ? { signal } : {}), niceness });
  if (result.exitCode !== 0) {
    rmSync(temporary, { force: true });
    return `zstd exited with ${result.exitCode}: ${result.stderr.trim().slice(-300)}`;
  }
  renameSync(temporary, compressed);
  const stat = statSync(raw);
  return {
    file: compressed.slice(compressed.lastIndexOf("/") + 1),
    sha256: await hashFile(raw),
    logicalBytes: stat.size,
    allocatedBytes: stat.blocks * 512,
    compressedBytes: statSync(compressed).size,
    compression: `zstd -${zstdLevel} --long=27`,
  };
}

// SHA-256 (hex) of a file's bytes.
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
