// Runs the bundle's provision.sh inside the rootfs (chroot, private mount and pid namespaces), exactly
// the script the AWS builder runs. The bundle is bind-mounted from the work directory, so nothing of
// it lands in the image; .debs apt downloads are copied to the shared cache by an apt hook that lives
// only in the environment of this run (APT_CONFIG), and cached .debs are linked in beforehand.
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GeneratedFile } from "../../../gateway/generated-file.ts";
import type { BuildLog } from "./build-log.ts";
import { runInNamespaces } from "./run-in-namespaces.ts";

const bundleMount = "/run/rtcgw/bundle";
const cacheMount = "/run/rtcgw/apt-cache";
const aptConfigMount = "/run/rtcgw/apt.conf";

// Provisions `rootDir` with `bundleFiles`; resolves to an error message or undefined on success.
export async function provisionRootfs(options: {
  rootDir: string;
  workDir: string;
  bundleFiles: readonly GeneratedFile[];
  aptCacheDir: string;
  log: BuildLog;
  signal?: AbortSignal;
}): Promise<string | undefined> {
  const { rootDir, workDir, log } = options;
  const bundleDir = join(workDir, "bundle");
  writeBundle(bundleDir, options.bundleFiles);
  if (!existsSync(join(bundleDir, "provision.sh"))) return "the bundle has no provision.sh";
  linkCachedDebs(options.aptCacheDir, join(rootDir, "var/cache/apt/archives"));
  const aptConfig = join(workDir, "apt.conf");
  writeFileSync(aptConfig, `DPkg::Pre-Install-Pkgs:: "xargs -r cp -n -t ${cacheMount}/ 2>/dev/null || true";\n`);
  const run = await runInNamespaces(
    {
      rootDir,
      binds: [
        { from: bundleDir, to: bundleMount },
        { from: options.aptCacheDir, to: cacheMount },
        { from: aptConfig, to: aptConfigMount, readOnly: true },
      ],
      command: ["/bin/bash", "-c", `cd ${bundleMount} && exec /bin/bash ./provision.sh`],
    },
    { log, env: { APT_CONFIG: aptConfigMount }, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (run.exitCode === 0) return undefined;
  const tail = `${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-3).join(" | ");
  return `provision.sh exited with ${run.exitCode}: ${tail}`;
}

// Writes the bundle tree (files relative to the bundle root, with their modes).
export function writeBundle(bundleDir: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    const path = join(bundleDir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
    chmodSync(path, file.mode ?? 0o644);
  }
}

// Hard-links (or copies, across file systems) every cached .deb into the rootfs's apt archive directory.
function linkCachedDebs(cacheDir: string, archivesDir: string): void {
  mkdirSync(archivesDir, { recursive: true });
  let names: string[] = [];
  try {
    names = readdirSync(cacheDir).filter((name) => name.endsWith(".deb"));
  } catch {
    return;
  }
  for (const name of names) {
    const to = join(archivesDir, name);
    if (existsSync(to)) continue;
    try {
      linkSync(join(cacheDir, name), to);
    } catch {
      copyFileSync(join(cacheDir, name), to);
    }
  }
}
