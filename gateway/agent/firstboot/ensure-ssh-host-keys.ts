import { execFile } from "node:child_process";
import { mkdtemp, rename, rm, stat, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { WriteOutcome } from "../write-file-atomic.ts";

const run = promisify(execFile);
const keyTypes = ["ed25519", "ecdsa", "rsa"] as const;

// Generates each missing SSH host key (or all of them for a new instance, in case the image carried some):
// made in a temp dir beside the target, then renamed into place, the public half first. The three are made
// at once: RSA 3072 alone takes about a second natively and tens of seconds under QEMU's TCG.
export async function ensureSshHostKeys(sshDirectory: string, renew: boolean): Promise<Record<string, WriteOutcome>> {
  await mkdir(sshDirectory, { recursive: true, mode: 0o755 });
  const outcomes = await Promise.all(keyTypes.map(async (type) => [type, await ensureSshHostKey(sshDirectory, type, renew)] as const));
  return Object.fromEntries(outcomes);
}

async function ensureSshHostKey(sshDirectory: string, type: (typeof keyTypes)[number], renew: boolean): Promise<WriteOutcome> {
  const target = join(sshDirectory, `ssh_host_${type}_key`);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists && !renew) return "unchanged";
  const temp = await mkdtemp(join(sshDirectory, `.rtcgw-keygen-`));
  try {
    await run("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "3072"] : []), "-N", "", "-C", "", "-f", join(temp, "key")]);
    await rename(join(temp, "key.pub"), `${target}.pub`);
    await rename(join(temp, "key"), target);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return exists ? "updated" : "created";
}
