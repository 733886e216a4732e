// Reads a disk image (raw, or zstd-compressed and decompressed as a stream) in 512 KiB blocks and hands out only the
// blocks that hold data, while hashing every byte: the caller learns the disk's SHA-256 and size once all is read.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { ebsBlockSize, isZeroBlock } from "../../cloud/ebs-blocks.ts";

/** A block holding data, at its index (its offset / 512 KiB); the bytes are the caller's to keep. */
export interface DiskBlock {
  index: number;
  data: Buffer;
}

/** What the whole read saw: the disk's SHA-256 (hex) and logical size, and how many blocks held data. */
export interface DiskSummary {
  sha256: string;
  logicalBytes: number;
  dataBlocks: number;
  totalBlocks: number;
}

/** A disk being read: its data blocks, and the summary once they are all read. */
export interface DiskBlockReader {
  blocks: AsyncGenerator<DiskBlock>;
  summary(): DiskSummary | undefined;
}

// Opens `path` (`.zst`: decompressed by `zstd -dc --long=31`, whose window covers the one the build compresses with).
export function readDiskBlocks(path: string, signal?: AbortSignal): DiskBlockReader {
  let summary: DiskSummary | undefined;
  async function* blocks(): AsyncGenerator<DiskBlock> {
    const compressed = path.endsWith(".zst");
    const child = compressed ? spawn("zstd", ["-dcq", "--long=31", path], { stdio: ["ignore", "pipe", "pipe"], ...(signal ? { signal } : {}) }) : undefined;
    let stderr = "";
    child?.stderr?.on("data", (chunk: Buffer) => void (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
    const exited = child ? new Promise<number | null>((resolve) => child.on("close", resolve)) : Promise.resolve(0);
    child?.on("error", () => undefined);
    const stream: Readable = child?.stdout ?? createReadStream(path, { highWaterMark: ebsBlockSize, ...(signal ? { signal } : {}) });
    const hash = createHash("sha256");
    const block = Buffer.alloc(ebsBlockSize);
    let filled = 0;
    let index = 0;
    let logicalBytes = 0;
    let dataBlocks = 0;
    const finishBlock = function* (): Generator<DiskBlock> {
      if (filled < ebsBlockSize) block.fill(0, filled);
      if (!isZeroBlock(block)) {
        dataBlocks++;
        yield { index, data: Buffer.from(block) };
      }
      index++;
      filled = 0;
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        logicalBytes += chunk.length;
        for (let at = 0; at < chunk.length;) {
          const taken = Math.min(ebsBlockSize - filled, chunk.length - at);
          chunk.copy(block, filled, at, at + taken);
          filled += taken;
          at += taken;
          if (filled === ebsBlockSize) yield* finishBlock();
        }
      }
      if (filled > 0) yield* finishBlock();
      const code = await exited;
      if (code !== 0) throw new Error(`zstd could not decompress ${path} (exit ${code}): ${stderr.trim() || "no message"}`);
      summary = { sha256: hash.digest("hex"), logicalBytes, dataBlocks, totalBlocks: index };
    } finally {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      stream.destroy();
    }
  }
  return { blocks: blocks(), summary: () => summary };
}
