// The launch key pair's public key (from IMDS) becomes the admin login's authorized_keys, as cloud-init
// does on Debian's AMIs: the sealed image carries no key, so without this nobody could log in with SSH.
import { chown, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileIfChanged, type WriteOutcome } from "../write-file-atomic.ts";

const keyLine = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$/;

// Writes `<home>/.ssh/authorized_keys` of `login` (under `root`) with the key lines of `openSshKey`.
export async function authorizeLaunchKey(root: string, login: string, openSshKey: string | undefined): Promise<WriteOutcome | "no key" | "no login"> {
  const keys = (openSshKey ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => keyLine.test(line));
  if (keys.length === 0) return "no key";
  const account = await readAccount(root, login);
  if (!account) return "no login";
  const sshDir = join(root, account.home, ".ssh");
  await mkdir(sshDir, { recursive: true, mode: 0o700 });
  const file = join(sshDir, "authorized_keys");
  const outcome = await writeFileIfChanged(file, `${keys.join("\n")}\n`, 0o600);
  if (process.getuid?.() === 0) {
    await chown(sshDir, account.uid, account.gid);
    await chown(file, account.uid, account.gid);
  }
  return outcome;
}

async function readAccount(root: string, login: string): Promise<{ uid: number; gid: number; home: string } | undefined> {
  const line = (await readFile(join(root, "etc/passwd"), "utf8").catch(() => "")).split("\n").find((l) => l.startsWith(`${login}:`));
  const fields = line?.split(":");
  if (!fields || fields.length < 7) return undefined;
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]! };
}
