import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { requireBinary } from "./require-binary.ts";

/** Paths of a PEM certificate and its private key. */
export interface TlsPair {
  cert: string;
  key: string;
}

// Writes a self-signed certificate for 127.0.0.1/localhost into `dir` (what the appliance's first-boot agent does on a real host).
export function createSelfSignedCertificate(dir: string): TlsPair {
  const openssl = requireBinary("openssl", "openssl");
  const pair = { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  execFileSync(
    openssl,
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      pair.key,
      "-out",
      pair.cert,
    ],
    { stdio: "ignore" },
  );
  return pair;
}
