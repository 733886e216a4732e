// The smoke check of an AMI made from the disk image, from this machine over the internet: the image has no SSM agent
// and no cloud-init, so nothing runs inside it on request; what a user would reach is probed instead (SIP OPTIONS over
// UDP, HTTPS `/` asking for the admin login, and the login whose password is the instance id letting the admin in).
import type { GatewayProbePort } from "../../cloud/ports.ts";
import { probeHttps, probeSipOptions } from "./probe-gateway.ts";

// One round of probes (each says what it got; none throws).
export function createGatewayProbe(timeoutMs = 10_000): GatewayProbePort {
  return {
    async probe(target) {
      const https = `https://${target.address}:${target.httpsPort}`;
      return [
        await probeSipOptions(target.address, target.sipPort, timeoutMs, "0.0.0.0"),
        await probeHttps(
          "HTTPS / asks for the admin login (401)",
          `${https}/`,
          { status: 401, header: { name: "www-authenticate", pattern: /^Basic / } },
          timeoutMs,
        ),
        await probeHttps(
          "HTTPS / lets the admin in with the instance id (200)",
          `${https}/`,
          { status: 200, login: { user: target.adminUser, password: target.instanceId } },
          timeoutMs,
        ),
      ];
    },
  };
}
