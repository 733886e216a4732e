// An IMDSv2 stand-in for the boot test: a session token from `PUT /latest/api/token` (with a TTL header),
// then `GET /latest/meta-data/...` with that token. A GET without a valid token is refused with 401, as
// on an instance with `HttpTokens: required`, so an image whose client falls back to IMDSv1 fails.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";

/** The instance the stand-in describes. */
export interface ImdsInstance {
  instanceId: string;
  region: string;
  localIpv4: string;
  localHostname: string;
  /** The launch key pair's public key line, or none. */
  openSshKey?: string;
}

/** What the stand-in saw, for the test's report. */
export interface ImdsLog {
  tokens: number;
  refused: string[];
  served: string[];
}

// The metadata paths (under /latest/meta-data/) and their values; other paths are 404.
export function metadataFor(instance: ImdsInstance): Map<string, string> {
  const values = new Map<string, string>([
    ["instance-id", instance.instanceId],
    ["placement/region", instance.region],
    ["placement/availability-zone", `${instance.region}a`],
    ["local-ipv4", instance.localIpv4],
    ["local-hostname", instance.localHostname],
    ["hostname", instance.localHostname],
  ]);
  if (instance.openSshKey) {
    values.set("public-keys/", "0=rtcgw-boot-test");
    values.set("public-keys/0/openssh-key", instance.openSshKey);
  }
  return values;
}

// Starts the stand-in on address:port; resolves once it listens.
export function startImdsStandin(instance: ImdsInstance, listen: { address: string; port: number }): Promise<{ server: Server; log: ImdsLog }> {
  const values = metadataFor(instance);
  const tokens = new Set<string>();
  const log: ImdsLog = { tokens: 0, refused: [], served: [] };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://imds").pathname;
    if (path === "/latest/api/token") {
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (req.method !== "PUT" || !(ttl >= 1 && ttl <= 21600)) {
        res.writeHead(req.method === "PUT" ? 400 : 405).end();
        return;
      }
      const token = randomBytes(24).toString("base64url");
      tokens.add(token);
      log.tokens++;
      res.writeHead(200, { "content-type": "text/plain", "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) }).end(token);
      return;
    }
    const token = req.headers["x-aws-ec2-metadata-token"];
    if (typeof token !== "string" || !tokens.has(token)) {
      log.refused.push(`${req.method} ${path}`);
      res.writeHead(401, { "content-type": "text/plain" }).end("Unauthorized");
      return;
    }
    const value = path.startsWith("/latest/meta-data/") ? values.get(path.slice("/latest/meta-data/".length)) : undefined;
    if (value === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not Found");
      return;
    }
    log.served.push(path);
    res.writeHead(200, { "content-type": "text/plain" }).end(value);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.address, () => resolve({ server, log }));
  });
}
