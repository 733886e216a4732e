// Pure: violations found in a file's content (private keys, credentials, password hashes, IMDSv1).
import type { SealViolation } from "./seal-violation.ts";

const pemPrivateKey =
  /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----\r?\n(?:[\w-]+: [^\n]*\r?\n)*\r?\n?[A-Za-z0-9+/=]{16,}/;
const awsAccessKey = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;
const awsSecret = /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i;
const imdsAddress = /169\.254\.169\.254|\[?fd00:ec2::254\]?/;
const imdsToken = /X-aws-ec2-metadata-token/i;

// Private keys and cloud credentials anywhere in `content` (a binary file too: the PEM body must follow its header).
export function checkSecrets(path: string, content: Buffer): SealViolation[] {
  const found: SealViolation[] = [];
  let at = content.indexOf("PRIVATE KEY");
  while (at !== -1) {
    const window = content.subarray(Math.max(0, at - 40), at + 400).toString("latin1");
    const match = pemPrivateKey.exec(window);
    if (match) {
      const openssh = match[1] === "OPENSSH PRIVATE KEY";
      found.push({ rule: openssh ? "ssh-private-key" : "private-key", path, message: `contains a ${match[1]} block` });
      break;
    }
    at = content.indexOf("PRIVATE KEY", at + 11);
  }
  if (content.indexOf("aws_secret_access_key") !== -1 || content.indexOf("AKIA") !== -1 || content.indexOf("ASIA") !== -1) {
    const text = content.toString("latin1");
    const key = awsAccessKey.exec(text);
    if (key && !key[0].endsWith("EXAMPLE")) found.push({ rule: "credential", path, message: `contains an AWS access key id (${key[0].slice(0, 8)}…)` });
    if (awsSecret.test(text)) found.push({ rule: "credential", path, message: "contains an AWS secret access key" });
  }
  return found;
}

// Password hashes in /etc/shadow or /etc/gshadow: every account must be locked (`*`, `!` or `!*`).
export function checkShadow(path: string, text: string): SealViolation[] {
  return text
    .split("\n")
    .filter((line) => line.includes(":"))
    .flatMap((line) => {
      const [account, hash = ""] = line.split(":");
      if (hash === "*" || hash === "!" || hash === "!*") return [];
      const what = hash === "" ? "has an empty password" : "has a password hash";
      return [{ rule: "password-hash" as const, path, message: `account \`${account}\` ${what}: lock it (\`!\`)` }];
    });
}

// IMDS use in a script without an IMDSv2 session token (IMDSv1 is disabled on hardened instances and leaks via SSRF).
export function checkImds(path: string, text: string): SealViolation[] {
  if (!imdsAddress.test(text) || imdsToken.test(text)) return [];
  return [
    { rule: "imds-v1", path, message: "reads the instance metadata service without an IMDSv2 token (PUT /latest/api/token, header X-aws-ec2-metadata-token)" },
  ];
}

// Everything wrong with /etc/hostname, /etc/resolv.conf and /etc/machine-id content.
export function checkHostIdentity(path: string, text: string): SealViolation[] {
  if (path === "/etc/hostname") {
    const name = text.trim();
    return name === "" || name === "localhost" ? [] : [{ rule: "hostname", path, message: `hostname is \`${name}\` (from the build host): use \`localhost\`` }];
  }
  if (path === "/etc/resolv.conf") {
    const bad = text
      .split("\n")
      .filter((line) => /^\s*(search|domain)\s/.test(line) || (/^\s*nameserver\s/.test(line) && !/^\s*nameserver\s+(127\.|::1)/.test(line)));
    return bad.length === 0 ? [] : [{ rule: "resolv-conf", path, message: `resolver settings from the build host: ${bad.map((l) => l.trim()).join("; ")}` }];
  }
  return [];
}
