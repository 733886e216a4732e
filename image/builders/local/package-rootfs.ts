// What the manifest says about the sealed rootfs: its installed packages (dpkg-query) and its size.
import { execa } from "execa";

/** One installed Debian package. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** dpkg's Installed-Size, in KiB. */
  installedKiB: number;
}

// The rootfs's installed packages, sorted by name.
export async function listInstalledPackages(rootDir: string): Promise<InstalledPackage[]> {
  const result = await execa("dpkg-query", [
    `--admindir=${rootDir}/var/lib/dpkg`,
    "--show",
    "--showformat=${Package}\\t${Version}\\t${Installed-Size}\\t${db:Status-Abbrev}\\n",
  ]);
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
