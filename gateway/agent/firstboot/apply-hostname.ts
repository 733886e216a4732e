// The instance's host name from its private DNS name (`ip-10-0-0-5.ec2.internal` → `ip-10-0-0-5`, as
// cloud-init sets it on Debian's AMIs): /etc/hostname, and the running kernel's when `root` is `/`.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { writeFileIfChanged, type WriteOutcome } from "../write-file-atomic.ts";

// The host name for a private DNS name, or undefined when it is not a valid one.
export function hostnameFor(localHostname: string | undefined): string | undefined {
  const label = (localHostname ?? "").trim().toLowerCase().split(".")[0] ?? "";
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label) ? label : undefined;
}

// Applies the host name; "no name" when IMDS gave none.
export async function applyHostname(root: string, localHostname: string | undefined): Promise<WriteOutcome | "no name"> {
  const name = hostnameFor(localHostname);
  if (!name) return "no name";
  const outcome = await writeFileIfChanged(join(root, "etc/hostname"), `${name}\n`);
  if (root === "/") await promisify(execFile)("/usr/bin/hostname", [name]);
  return outcome;
}
