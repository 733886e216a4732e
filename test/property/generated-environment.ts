// The shared environment of generated-recipe proofs: a work folder, rtpengine, the gateway's TLS pair, and a CA
// with a certificate for the PBX stand-ins (generated recipes pin that CA on their TLS upstreams).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findFreePorts } from "../harness/free-ports.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { startRtpengine } from "../harness/rtpengine.ts";
import { stopAllProcesses } from "../harness/start-process.ts";
import { createSelfSignedCertificate } from "../harness/tls-certificate.ts";
import type { ProofEnvironment } from "./prove-generated-recipe.ts";

/** A started environment, the CA recipes pin, and how to tear it all down. */
export interface StartedEnvironment extends ProofEnvironment {
  caPem: string;
  stop(): Promise<void>;
}

// Starts rtpengine and makes the certificates; `stop()` ends every process it started and removes the folder.
export async function startProofEnvironment(): Promise<StartedEnvironment> {
  const workDir = mkdtempSync(join(tmpdir(), "rtcgw-generated-"));
  const openssl = requireBinary("openssl", "openssl");
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: "ignore" });
  const file = (name: string) => join(workDir, name);
  run([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=rtcgw generated-recipe CA",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  ]);
  run(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=pbx.test", "-keyout", file("pbx.key"), "-out", file("pbx.csr")]);
  writeFileSync(file("pbx.ext"), "subjectAltName=IP:127.0.0.2,DNS:pbx.test\n");
  run([
    "x509",
    "-req",
    "-in",
    file("pbx.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("pbx.ext"),
    "-out",
    file("pbx.pem"),
  ]);
  const [ngPort] = await findFreePorts(1);
  const rtpengine = await startRtpengine(workDir, { ngPort: ngPort!, ports: 400, threads: 1 });
  return {
    workDir,
    rtpengineNgPort: ngPort!,
    gatewayTls: createSelfSignedCertificate(workDir),
    pbxTls: { cert: readFileSync(file("pbx.pem"), "utf8"), key: readFileSync(file("pbx.key"), "utf8") },
    caPem: readFileSync(file("ca.pem"), "utf8"),
    stop: async () => {
      try {
        await stopAllProcesses();
        await rtpengine.process.stop();
      } finally {
        if (!process.env.RTCGW_KEEP_LOGS) rmSync(workDir, { recursive: true, force: true });
      }
    },
  };
}
