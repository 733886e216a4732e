// Scans a sealed rootfs and returns every violation with its path: host keys, private keys and
// credentials anywhere, password hashes, machine identity, build logs and history, IMDSv1 use.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkPath, type TreeEntry } from "./check-path.ts";
import { checkHostIdentity, checkImds, checkSecrets, checkShadow } from "./check-content.ts";
import type { SealViolation } from "./seal-violation.ts";

const maxScannedBytes = 64 * 1024 * 1024;

// Every violation in the tree under `rootDir`, sorted by path; empty when the image is sealed.
export function assertSealed(rootDir: string): SealViolation[] {
  const found: SealViolation[] = [];
  const shipped = readPackageChecksums(rootDir);
  walk(rootDir, "", (entry, hostPath) => {
    found.push(...checkPath(entry));
    if (entry.kind !== "file" || entry.size > maxScannedBytes) return;
    const content = readFileSync(hostPath);
    const inContent = checkFileContent(entry.path, content);
    found.push(...(inContent.some(isShippedKind) && isShippedUnchanged(shipped, entry.path, content) ? inContent.filter((v) => !isShippedKind(v)) : inContent));
  });
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Content checks of one regular file, by its path inside the image.
export function checkFileContent(path: string, content: Buffer): SealViolation[] {
  const found = checkSecrets(path, content);
  if (path === "/etc/shadow" || path === "/etc/gshadow") found.push(...checkShadow(path, content.toString("utf8")));
  if (path === "/etc/hostname" || path === "/etc/resolv.conf") found.push(...checkHostIdentity(path, content.toString("utf8")));
  if (isText(content) && (content.indexOf("169.254.169.254") !== -1 || content.indexOf("fd00:ec2::254") !== -1))
    found.push(...checkImds(path, content.toString("utf8")));
  return found;
}

// Keys inside files exactly as a Debian package ships them (self-test vectors in libgnutls, say) are
// public, not ours; IMDS use is judged in the image's own scripts, not in Debian's packages.
function isShippedKind(violation: SealViolation): boolean {
  return violation.rule === "private-key" || violation.rule === "ssh-private-key" || violation.rule === "imds-v1";
}

function isShippedUnchanged(shipped: Map<string, string>, path: string, content: Buffer): boolean {
  const expected = shipped.get(path);
  return expected !== undefined && createHash("md5").update(content).digest("hex") === expected;
}

// dpkg's md5sums of every packaged file, by path inside the image.
function readPackageChecksums(rootDir: string): Map<string, string> {
  const sums = new Map<string, string>();
  const infoDir = join(rootDir, "var/lib/dpkg/info");
  let names: string[] = [];
  try {
    names = readdirSync(infoDir).filter((name) => name.endsWith(".md5sums"));
  } catch {
    return sums;
  }
  for (const name of names) {
    for (const line of readFileSync(join(infoDir, name), "utf8").split("\n")) {
      const match = /^([0-9a-f]{32})  (.+)$/.exec(line);
      if (match) sums.set(`/${match[2]}`, match[1]!);
    }
  }
  return sums;
}

function isText(content: Buffer): boolean {
  return content.subarray(0, 8192).indexOf(0) === -1;
}

function walk(rootDir: string, relative: string, visit: (entry: TreeEntry, hostPath: string) => void): void {
  const hostDir = join(rootDir, relative);
  for (const name of readdirSync(hostDir)) {
    const hostPath = join(hostDir, name);
    const path = `${relative}/${name}`;
    const stat = lstatSync(hostPath);
    const kind = stat.isFile() ? "file" : stat.isDirectory() ? "dir" : stat.isSymbolicLink() ? "symlink" : "other";
    visit({ path, kind, size: stat.size }, hostPath);
    if (kind === "dir") walk(rootDir, path, visit);
  }
}
