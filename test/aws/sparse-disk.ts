// A small sparse disk image for the upload tests: random data in the chosen 512 KiB blocks (one of them only partly), holes
// elsewhere, and its zstd-compressed form as the local build stores it.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ebsBlockSize } from "../../cloud/ebs-blocks.ts";

/** A disk on this machine and what a snapshot of it must hold. */
export interface SparseDisk {
  raw: string;
  zst: string;
  sha256: string;
  logicalBytes: number;
  /** The non-zero blocks, by index, as 512 KiB each (zero-padded). */
  blocks: Map<number, Buffer>;
}

// Writes the disk in a temp folder removed when the process exits. `partial`: that block holds data in its second half only.
export function makeSparseDisk(input: { sizeBytes: number; dataBlocks: number[]; partial?: number }): SparseDisk {
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-disk-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const raw = join(dir, "disk.raw");
  const fd = openSync(raw, "w");
  ftruncateSync(fd, input.sizeBytes);
  const blocks = new Map<number, Buffer>();
  for (const index of input.dataBlocks) {
    const block = Buffer.alloc(ebsBlockSize);
    const from = index === input.partial ? ebsBlockSize / 2 : 0;
    randomBytes(ebsBlockSize - from).copy(block, from);
    writeSync(fd, block.subarray(from), 0, ebsBlockSize - from, index * ebsBlockSize + from);
    blocks.set(index, block);
  }
  closeSync(fd);
  const zst = `${raw}.zst`;
  execFileSync("zstd", ["-q", "-f", "-3", "--long=27", raw, "-o", zst]);
  const hash = createHash("sha256");
  for (let i = 0; i < input.sizeBytes / ebsBlockSize; i++) hash.update(blocks.get(i) ?? Buffer.alloc(ebsBlockSize));
  return { raw, zst, sha256: hash.digest("hex"), logicalBytes: input.sizeBytes, blocks };
}
