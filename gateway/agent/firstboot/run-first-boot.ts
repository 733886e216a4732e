import { readFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { AgentConfig } from "../agent-config.ts";
import { runtimePaths } from "../contract.ts";
import { writeFileIfChanged, type WriteOutcome } from "../write-file-atomic.ts";
import { ImdsUnreachable, readInstanceIdentity, type InstanceIdentity } from "./read-instance-identity.ts";
import { readLocalIdentity } from "./read-local-identity.ts";
import { ensureSshHostKeys } from "./ensure-ssh-host-keys.ts";
import { ensureTlsCertificate } from "./ensure-tls-certificate.ts";
import { authorizeLaunchKey } from "./authorize-launch-key.ts";
import { applyHostname } from "./apply-hostname.ts";
import { hashAdminPassword, verifyAdminPassword } from "./admin-password.ts";
import { renderKamailioDefines, renderKamailioMemory, renderRuntimeEnv } from "./render-runtime-settings.ts";
import { sizeGatewayLimits, type InstanceSize } from "../../kamailio/size-gateway-limits.ts";
import { verifyLicense, type LicenseVerdict } from "../license/license-document.ts";
import { resolveLimits, type EffectiveLimits } from "../license/resolve-limits.ts";
import { readLicenseParameter } from "../license/read-license-parameter.ts";

/** Everything the first boot depends on; tests point the endpoints at local stand-ins. */
export interface FirstBootOptions {
  /** `/` on the appliance. */
  root: string;
  config: AgentConfig;
  imdsEndpoint: string;
  /** SSM endpoint override (tests); the regional endpoint otherwise. */
  ssmEndpoint?: string;
  ssmCredentials?: { accessKeyId: string; secretAccessKey: string };
  now?: () => Date;
  log?: (line: string) => void;
  /** The instance's memory and cores (tests); this machine's otherwise. */
  instanceSize?: InstanceSize;
  /** How long to wait for the metadata service to become reachable. @default 0 */
  imdsWaitMs?: number;
  /** The login the launch key pair's key is authorized for. @default "admin" */
  adminLogin?: string;
}

/** What a boot did, file by file. */
export interface FirstBootReport {
  identity: InstanceIdentity;
  newInstance: boolean;
  limits: EffectiveLimits;
  verdict: LicenseVerdict["status"];
  writes: Record<string, WriteOutcome>;
}

// Runs at every boot before Kamailio and rtpengine: identity, host keys, certificate, admin password,
// license and runtime settings. Idempotent: an unchanged instance and license rewrite nothing.
export async function runFirstBoot(options: FirstBootOptions): Promise<FirstBootReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const path = (relative: string) => join(options.root, relative);
  // No metadata service at all: a local machine. A service that gave a token and then failed a read is an instance
  // whose identity is unknown: first boot fails (and says why) rather than start with a local identity.
  const identity = await readInstanceIdentity({ endpoint: options.imdsEndpoint, waitMs: options.imdsWaitMs ?? 0 }).catch(async (error: Error) => {
    if (!(error instanceof ImdsUnreachable)) throw new Error(`instance metadata at ${options.imdsEndpoint}: ${error.message}`);
    log(`no instance metadata at ${options.imdsEndpoint} (${error.message}): running as a local machine`);
    return readLocalIdentity(options.root);
  });
  const previous = (await readFile(path(runtimePaths.instanceMarker), "utf8").catch(() => "")).trim();
  const newInstance = previous !== identity.instanceId;
  log(
    `instance ${identity.instanceId} in ${identity.region}, local ${identity.localIpv4}, public ${identity.publicIpv4 ?? "none"}${newInstance ? " (new instance: renewing keys, certificate and password)" : ""}`,
  );

  const writes: Record<string, WriteOutcome> = {};
  // Host keys, certificate, password hash and the license read do not depend on each other: run them at once
  // (key generation and scrypt are CPU-bound; an instance has at least 2 vCPUs).
  const keyGroupId = await readGroupId(path("etc/group"), "kamailio");
  const [sshKeys, tls, adminPassword, verdict] = await Promise.all([
    ensureSshHostKeys(path(runtimePaths.sshDirectory), newInstance),
    ensureTlsCertificate(
      {
        certificatePath: path(runtimePaths.tlsCertificate),
        keyPath: path(runtimePaths.tlsKey),
        names: [identity.publicIpv4, options.config.advertise, identity.localIpv4].filter((n): n is string => Boolean(n)),
        keyGroupId,
      },
      newInstance,
    ),
    ensureAdminPasswordHash(path(runtimePaths.adminPasswordHash), identity.instanceId),
    readLicense(options, identity.region, log),
  ]);
  for (const [type, outcome] of Object.entries(sshKeys)) writes[`ssh_host_${type}_key`] = outcome;
  writes.tls = tls;
  const launchKey = await authorizeLaunchKey(options.root, options.adminLogin ?? "admin", identity.openSshKey);
  if (launchKey !== "no key" && launchKey !== "no login") writes.authorizedKeys = launchKey;
  else
    log(
      `launch key pair: ${launchKey === "no key" ? "none in the instance metadata" : `no login ${options.adminLogin ?? "admin"} in this image`}, no authorized_keys written`,
    );
  const hostname = await applyHostname(options.root, identity.localHostname);
  if (hostname !== "no name") writes.hostname = hostname;
  writes.adminPassword = adminPassword;

  const limits = resolveLimits(options.config.limits, verdict);
  log(limits.summary);
  const sizing = sizeGatewayLimits(options.instanceSize ?? { memoryMiB: Math.floor(totalmem() / 2 ** 20), cores: cpus().length });
  log(
    `sized for ${sizing.kamailioSharedMiB} MiB of Kamailio shared memory: ${sizing.tcpMaxConnections} TCP connections, ${sizing.overloadCps} new calls per second`,
  );
  const settings = { identity, limits, advertise: options.config.advertise, sizing };
  writes.licenseState = await writeFileIfChanged(
    path(runtimePaths.licenseState),
    `${JSON.stringify({ verdict: describeVerdict(verdict), limits }, null, 2)}\n`,
  );
  writes.runtimeEnv = await writeFileIfChanged(path(runtimePaths.runtimeEnv), renderRuntimeEnv(settings));
  writes.kamailioDefines = await writeFileIfChanged(path(runtimePaths.kamailioDefines), renderKamailioDefines(settings));
  writes.kamailioMemory = await writeFileIfChanged(path(runtimePaths.kamailioMemory), renderKamailioMemory(sizing));
  writes.instanceMarker = await writeFileIfChanged(path(runtimePaths.instanceMarker), `${identity.instanceId}\n`);
  log(
    `files: ${Object.entries(writes)
      .map(([name, outcome]) => `${name} ${outcome}`)
      .join(", ")}`,
  );
  return { identity, newInstance, limits, verdict: verdict.status, writes };
}

// A group's id from the root's /etc/group; undefined when it has no such group (tests, images without Kamailio).
async function readGroupId(groupFile: string, name: string): Promise<number | undefined> {
  const line = (await readFile(groupFile, "utf8").catch(() => "")).split("\n").find((l) => l.startsWith(`${name}:`));
  const id = Number(line?.split(":")[2]);
  return line && Number.isInteger(id) ? id : undefined;
}

// The password is the instance id; only its scrypt hash is stored, rewritten when it no longer matches.
async function ensureAdminPasswordHash(file: string, instanceId: string): Promise<WriteOutcome> {
  const current = await readFile(file, "utf8").catch(() => undefined);
  if (current !== undefined && (await verifyAdminPassword(instanceId, current))) return "unchanged";
  return writeFileIfChanged(file, await hashAdminPassword(instanceId), 0o600);
}

// Reads and checks the license; a read failure is demo mode with the reason, never a failed boot.
async function readLicense(options: FirstBootOptions, region: string, log: (line: string) => void): Promise<LicenseVerdict> {
  const name = options.config.license.parameter;
  if (region === "") return { status: "missing", reason: "not on AWS: no license parameter to read" };
  let text: string | undefined;
  try {
    text = await readLicenseParameter({
      region,
      name,
      ...(options.ssmEndpoint ? { endpoint: options.ssmEndpoint } : {}),
      ...(options.ssmCredentials ? { credentials: options.ssmCredentials } : {}),
    });
  } catch (error) {
    log(`cannot read the license parameter ${name} in ${region}: ${(error as Error).message}`);
    return { status: "invalid", reason: `cannot read SSM parameter ${name}: ${(error as Error).name}` };
  }
  if (text === undefined) return { status: "missing", reason: `no SSM parameter ${name} in ${region}` };
  return verifyLicense(text, options.config.license.publicKeyPem, (options.now ?? (() => new Date()))());
}

function describeVerdict(verdict: LicenseVerdict): Record<string, unknown> {
  if (verdict.status === "valid" || verdict.status === "expired")
    return { status: verdict.status, licensee: verdict.terms.licensee, expires: verdict.terms.expires };
  return { status: verdict.status, reason: verdict.reason };
}
