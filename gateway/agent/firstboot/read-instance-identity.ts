// IMDSv2 only: a session token from PUT first, then every read carries it. IMDSv1 (plain GET) is never tried,
// so the agent works on instances and AMIs that require tokens (`HttpTokens: required`). Plain node:http, not
// fetch: Node 20 compiles its fetch (undici) at the first call, 3-4 s of first boot under the boot test's TCG.
import { request as httpRequest } from "node:http";

/** What the first boot needs to know about the instance it runs on. */
export interface InstanceIdentity {
  instanceId: string;
  region: string;
  localIpv4: string;
  /** Absent when the instance has no public address (private subnet behind a load balancer). */
  publicIpv4: string | undefined;
  /** The instance's private DNS name (`ip-10-0-0-5.ec2.internal`), when IMDS has one. */
  localHostname?: string | undefined;
  /** The launch key pair's public key (`public-keys/0/openssh-key`), absent when launched without one. */
  openSshKey?: string | undefined;
}

/** The metadata service to ask; `http://169.254.169.254` on EC2, a local stand-in in tests. */
export interface ImdsOptions {
  endpoint: string;
  /** How one request is made (tests stand in a late network). @default requestImds */
  request?: ImdsRequest;
  /** Per request. @default 2000 */
  timeoutMs?: number;
  /**
   * How long to keep asking while the service cannot be reached or answers 5xx: for the token (early in boot the
   * DHCP route may not be there yet), then again for each read (a slow or busy machine can miss one request's
   * timeout). Any other HTTP error status is final. @default 0
   */
  waitMs?: number;
}

/** The metadata service never answered a token request: not an EC2 instance (or its endpoint is disabled). */
export class ImdsUnreachable extends Error {}

// Reads the instance identity through IMDSv2.
export async function readInstanceIdentity(options: ImdsOptions): Promise<InstanceIdentity> {
  const token = await requestToken(options);
  const get = (path: string) => getMetadata(options, token, path);
  const [instanceId, region, localIpv4, publicIpv4, localHostname, openSshKey] = await Promise.all([
    get("instance-id"),
    get("placement/region"),
    get("local-ipv4"),
    get("public-ipv4"),
    get("local-hostname"),
    get("public-keys/0/openssh-key"),
  ]);
  if (!instanceId || !/^i-[0-9a-f]{8,17}$/.test(instanceId)) throw new Error(`IMDS returned an unexpected instance id: \`${instanceId}\``);
  if (!region || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`IMDS returned an unexpected region: \`${region}\``);
  if (!localIpv4 || !isIpv4(localIpv4)) throw new Error(`IMDS returned an unexpected local-ipv4: \`${localIpv4}\``);
  return {
    instanceId,
    region,
    localIpv4,
    publicIpv4: publicIpv4 && isIpv4(publicIpv4) ? publicIpv4 : undefined,
    ...(localHostname ? { localHostname } : {}),
    ...(openSshKey ? { openSshKey } : {}),
  };
}

/** One HTTP exchange with the metadata service. */
export type ImdsRequest = (url: URL, init: ImdsRequestInit & { timeoutMs: number }) => Promise<ImdsResponse>;

/** A request's method and headers. */
export interface ImdsRequestInit {
  method: "GET" | "PUT";
  headers: Record<string, string>;
}

/** What the metadata service answered. */
export interface ImdsResponse {
  status: number;
  body: string;
}

// One request over plain HTTP (IMDS has no TLS); fails on a connection error, or when the whole answer has not
// arrived within `timeoutMs` (a service that trickles its body counts as not answering).
export const requestImds: ImdsRequest = (url, init) =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: init.headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on("error", reject);
    });
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${init.timeoutMs} ms`)), init.timeoutMs);
    req.on("error", (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    req.end();
  });

// The token for the reads (IMDSv2 session, 6 hours).
async function requestToken(options: ImdsOptions): Promise<string> {
  const response = await callPatiently(options, "/latest/api/token", {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": "21600" },
  }).catch((error: Error) => {
    throw new ImdsUnreachable(error.message);
  });
  if (!isOk(response)) throw new Error(`IMDSv2 token request failed: HTTP ${response.status}`);
  return response.body.trim();
}

// One metadata value; undefined when the service says 404 (e.g. no public IPv4).
async function getMetadata(options: ImdsOptions, token: string, path: string): Promise<string | undefined> {
  const response = await callPatiently(options, `/latest/meta-data/${path}`, { method: "GET", headers: { "X-aws-ec2-metadata-token": token } });
  if (response.status === 404) return undefined;
  if (!isOk(response)) throw new Error(`IMDS ${path} failed: HTTP ${response.status}`);
  return response.body.trim();
}

// One request, asked again every 0.5 s for up to `waitMs` while it fails to arrive or gets a 5xx.
async function callPatiently(options: ImdsOptions, path: string, init: ImdsRequestInit): Promise<ImdsResponse> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const outcome = await call(options, path, init).catch((error: Error) => error);
    const retryable = outcome instanceof Error || outcome.status >= 500;
    if (!retryable || Date.now() >= deadline) {
      if (outcome instanceof Error) throw new Error(`${path}: ${outcome.message}`);
      return outcome;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function call(options: ImdsOptions, path: string, init: ImdsRequestInit): Promise<ImdsResponse> {
  return (options.request ?? requestImds)(new URL(path, options.endpoint), { ...init, timeoutMs: options.timeoutMs ?? 2000 });
}

function isOk(response: ImdsResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function isIpv4(value: string): boolean {
  return /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(value);
}
