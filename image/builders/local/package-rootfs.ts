// Packs the sealed rootfs into rootfs.tar.zst (numeric owners, xattrs and ACLs kept, names sorted)
// and lists the installed packages with dpkg-query.
import { execa } from "execa";
import type { BuildLog } from "./build-log.ts";

/** One installed Debian package. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** dpkg's Installed-Size, in KiB. */
  installedKiB: number;
}

// Writes `tarball` from `rootDir`; resolves to an error message or undefined on success.
export async function packRootfs(rootDir: string, tarball: string, log: BuildLog, signal?: AbortSignal): Promise<string | undefined> {
  const args = ["--create", "--file", tarball, "--directory", rootDir, "--numeric-owner", "--xattrs", "--xattrs-include=*", "--acls", "--sort=name", "--use-compress-program=zstd -T0 -6", "."];
  log.note(`$ tar ${args.join(" ")}`);
  const result = await execa("tar", args, { reject: false, stdin: "ignore", stdout: { file: log.path, append: true }, stderr: ["pipe", { file: log.path, append: true }], ...(signal ? { cancelSignal: signal } : {}) });
  if (result.isCanceled) throw signal?.reason ?? new Error("canceled");
  return result.exitCode === 0 ? undefined : `tar exited with ${result.exitCode}: ${String(result.stderr).slice(-300)}`;
}

// The rootfs's installed packages, sorted by name.
export async function listInstalledPackages(rootDir: string): Promise<InstalledPackage[]> {
  const result = await execa("dpkg-query", [`--admindir=${rootDir}/var/lib/dpkg`, "--show", "--showformat=${Package}\\t${Version}\\t${Installed-Size}\\t${db:Status-Abbrev}\\n"]);
  return result.stdout
    .split("\n")
    .map((line) => line.split("\t"))
    .filter((fields) => fields[3]?.startsWith("ii"))
    .map(([name = "", version = "", size = "0"]) => ({ name, version, installedKiB: Number(size) || 0 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// Bytes used by the tree under `rootDir` (apparent sizes, hard links once).
export async function measureTree(rootDir: string): Promise<number> {
  const result = await execa("du", ["--summarize", "--bytes", "--one-file-system", rootDir]);
  return Number(result.stdout.split("\t")[0]);
}
