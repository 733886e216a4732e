import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { GeneratedFile } from "../../../gateway/generated-file.ts";

/** A packed bundle: the bytes uploaded to S3 and their sha256 (checked on the instance before unpacking). */
export interface PackedBundle {
  tarGz: Buffer;
  sha256: string;
}

// Packs bundle files into a deterministic .tar.gz: sorted paths, mtime 0, uid/gid 0, no directory entries, fixed gzip header.
export function packBundle(files: readonly GeneratedFile[]): PackedBundle {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const blocks: Buffer[] = [];
  for (const file of sorted) {
    const body = Buffer.from(file.content, "utf8");
    blocks.push(tarHeader(file.path, file.mode ?? 0o644, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tarGz = gzipSync(Buffer.concat(blocks), { level: 9 });
  tarGz[9] = 3;
  return { tarGz, sha256: createHash("sha256").update(tarGz).digest("hex") };
}

function tarHeader(path: string, mode: number, size: number): Buffer {
  if (path.startsWith("/") || path.split("/").includes("..")) throw new Error(`Expected a relative bundle path without "..", got \`${path}\``);
  const header = Buffer.alloc(512);
  let name = path;
  let prefix = "";
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf("/", 155);
    [prefix, name] = [path.slice(0, cut), path.slice(cut + 1)];
    if (cut < 0 || Buffer.byteLength(name) > 100) throw new Error(`Expected a bundle path a tar header can hold, got \`${path}\``);
  }
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, "0") + "\0";
  header.write(name, 0, 100, "utf8");
  header.write(octal(mode & 0o7777, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(size, 12), 124);
  header.write(octal(0, 12), 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  header.write("root", 265);
  header.write("root", 297);
  header.write(prefix, 345, 155, "utf8");
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(checksum.toString(8).padStart(6, "0") + "\0 ", 148);
  return header;
}
