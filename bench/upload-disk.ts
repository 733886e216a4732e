// What an EBS direct upload of a disk image moves: its logical size, the 512 KiB blocks holding data (only those are
// sent) and their bytes, and how fast this machine reads, hashes and sorts the blocks (the upload's local side).
// Run: nice npx tsx bench/upload-disk.ts out/images/<name>-<hash>/disk.raw.zst  (or a raw disk)
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { readDiskBlocks } from "../image/disk/read-disk-blocks.ts";

const path = process.argv[2];
if (!path || !existsSync(path)) {
  console.error(
    `${path ? `${path}: no such file; ` : ""}usage: npx tsx bench/upload-disk.ts DISK (disk.raw or disk.raw.zst, e.g. from rtcgw build-ami --target local)`,
  );
  process.exit(2);
}
const started = performance.now();
const reader = readDiskBlocks(path);
let bytes = 0;
for await (const block of reader.blocks) bytes += block.data.byteLength;
const seconds = (performance.now() - started) / 1000;
const summary = reader.summary()!;
const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
console.log(`disk            ${path}`);
console.log(`sha256          ${summary.sha256}`);
console.log(`logical size    ${mib(summary.logicalBytes)} (${summary.totalBlocks} blocks of 512 KiB)`);
console.log(`upload moves    ${summary.dataBlocks} blocks, ${mib(bytes)} (${((100 * summary.dataBlocks) / summary.totalBlocks).toFixed(1)} % of the disk)`);
console.log(`read + hash     ${seconds.toFixed(1)} s (${mib(summary.logicalBytes / seconds)}/s)`);
