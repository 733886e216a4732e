import { execFile } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { WriteOutcome } from "../write-file-atomic.ts";

const run = promisify(execFile);

/** Where the certificate and key go and which addresses/names it covers. */
export interface TlsCertificateRequest {
  certificatePath: string;
  keyPath: string;
  /** IPv4 addresses and DNS names for subjectAltName; the first is the common name. */
  names: string[];
  /** Group allowed to read the key (Kamailio's, for SIP over TLS): mode 0640 root:group instead of 0600. */
  keyGroupId?: number;
}

// Makes a self-signed P-256 certificate (10 years) for HTTPS/WSS unless one exists and the instance is the same.
// The key is written first and the certificate last, each renamed into place, so a present certificate
// always has its key.
export async function ensureTlsCertificate(request: TlsCertificateRequest, renew: boolean): Promise<WriteOutcome> {
  const exists = await Promise.all(
    [request.certificatePath, request.keyPath].map((path) =>
      stat(path).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (exists.every(Boolean) && !renew) return "unchanged";
  const names = [...new Set(request.names)];
  const san = names.map((name) => (/^[0-9.]+$/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
  if (names.length === 0 || !/^[A-Za-z0-9.:,-]+$/.test(san)) throw new Error(`refusing to make a certificate for \`${names.join(" ")}\``);
  await mkdir(dirname(request.certificatePath), { recursive: true, mode: 0o755 });
  const temp = await mkdtemp(join(dirname(request.certificatePath), ".rtcgw-tls-"));
  try {
    const [key, cert] = [join(temp, "key.pem"), join(temp, "cert.pem")];
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "3650",
      "-subj",
      `/O=rtcgw/CN=${names[0]}`,
      "-addext",
      `subjectAltName=${san}`,
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ]);
    if (request.keyGroupId !== undefined) await chown(key, 0, request.keyGroupId);
    await chmod(key, request.keyGroupId === undefined ? 0o600 : 0o640);
    await chmod(cert, 0o644);
    await rename(key, request.keyPath);
    await rename(cert, request.certificatePath);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return exists.some(Boolean) ? "updated" : "created";
}
