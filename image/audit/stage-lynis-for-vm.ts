// The host's Lynis as one tar for the VM (vm-lynis-script.ts unpacks it on a tmpfs and runs it with --usecwd):
// the program, its include files and database, Debian's default profile (without what the VM's groups never read)
// and the project's VM profile, and an
// empty plugins folder (Lynis insists on one; the VM audit runs no plugin: the chroot audit ran Debian's, on the same files).
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { lynisPaths } from "./lynis-installation.ts";
import { renderLynisProfile, trimDefaultProfileForVm, vmHeading } from "./render-lynis-profile.ts";

// Writes `<dir>/lynis.tar` (the staging folder is removed); returns its path.
export async function stageLynisForVm(dir: string): Promise<string> {
  const staging = join(dir, "lynis");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "plugins"), { recursive: true });
  cpSync(lynisPaths.program, join(staging, "lynis"));
  cpSync(join(lynisPaths.share, "include"), join(staging, "include"), { recursive: true });
  cpSync(join(lynisPaths.share, "db"), join(staging, "db"), { recursive: true });
  writeFileSync(join(staging, "default.prf"), trimDefaultProfileForVm(readFileSync(join(lynisPaths.etc, "default.prf"), "utf8")));
  writeFileSync(join(staging, "rtcgw.prf"), renderLynisProfile([], {}, vmHeading));
  const tarball = join(dir, "lynis.tar");
  // Owned by root in the VM: Lynis refuses include files and profiles another user could have changed.
  await execa("tar", ["-c", "-f", tarball, "--owner=0", "--group=0", "-C", staging, "."]);
  rmSync(staging, { recursive: true, force: true });
  return tarball;
}
