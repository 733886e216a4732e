// A local IMDSv2 stand-in with token semantics: PUT /latest/api/token (with a TTL header) gives a token;
// every GET needs it (401 without or with a wrong one). Records each request so tests can prove
// that nothing ever tried IMDSv1.
import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";

/** The instance the stand-in describes. */
export interface FakeInstance {
  instanceId: string;
  region: string;
  localIpv4: string;
  publicIpv4?: string;
  localHostname?: string;
  /** The launch key pair's public key. */
  openSshKey?: string;
}

/** Faults: the first GET of each listed path (e.g. `/latest/meta-data/instance-id`) gets no answer, or a 503. */
export interface ImdsFaults {
  stallFirst?: string[];
  unavailableFirst?: string[];
}

/** A running stand-in. */
export interface FakeImds {
  endpoint: string;
  requests: { method: string; path: string; token: boolean; status: number }[];
  instance: FakeInstance;
  close(): Promise<void>;
}

// Starts the stand-in on a free loopback port.
export async function startFakeImds(instance: FakeInstance, faults: ImdsFaults = {}): Promise<FakeImds> {
  const tokens = new Set<string>();
  const stall = new Set(faults.stallFirst);
  const unavailable = new Set(faults.unavailableFirst);
  const requests: FakeImds["requests"] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const token = req.headers["x-aws-ec2-metadata-token"];
    const reply = (status: number, body = "") => {
      requests.push({ method: req.method ?? "", path, token: typeof token === "string", status });
      res.writeHead(status, { "content-type": "text/plain" }).end(body);
    };
    if (path === "/latest/api/token") {
      if (req.method !== "PUT") return reply(405);
      const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
      if (!(ttl >= 1 && ttl <= 21600)) return reply(400);
      const issued = randomBytes(24).toString("base64");
      tokens.add(issued);
      return reply(200, issued);
    }
    if (req.method !== "GET") return reply(405);
    if (typeof token !== "string" || !tokens.has(token)) return reply(401);
    if (stall.delete(path)) {
      requests.push({ method: req.method, path, token: true, status: 0 });
      return; // never answered: the client's timeout ends it
    }
    if (unavailable.delete(path)) return reply(503);
    const values: Record<string, string | undefined> = {
      "/latest/meta-data/instance-id": instance.instanceId,
      "/latest/meta-data/placement/region": instance.region,
      "/latest/meta-data/local-ipv4": instance.localIpv4,
      "/latest/meta-data/public-ipv4": instance.publicIpv4,
      "/latest/meta-data/local-hostname": instance.localHostname,
      "/latest/meta-data/public-keys/0/openssh-key": instance.openSshKey,
    };
    const value = values[path];
    return value === undefined ? reply(404, "Not Found") : reply(200, value);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    instance,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
