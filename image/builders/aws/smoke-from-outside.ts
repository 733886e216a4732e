// The smoke check of an AMI registered from the disk image: the image has no SSM agent and no cloud-init, so the check
// is what a user reaches from outside. The smoke instance (no instance profile: it needs no AWS access for this) starts
// in the build's security group, opened to the gateway's SIP (UDP) and HTTPS ports for the probes; the probes run from
// this machine until every one passes or the budget is spent (first boot, Kamailio and the agent take a while).
import { clientTokenFor } from "../../../cloud/naming.ts";
import { recordTemporary, type JournalFile } from "../../../cloud/journal.ts";
import type { CloudPorts, GatewayProbePort, ProbeCheck, Tags } from "../../../cloud/ports.ts";
import type { WithRetry } from "../../../cloud/retry.ts";
import { WaitTimeoutError, waitFor } from "../../../cloud/wait.ts";
import { describeLaunchError } from "./launch-instance.ts";

/** The smoke instance and what to probe on it. */
export interface SmokeFromOutsideInput {
  imageId: string;
  buildId: string;
  attempt: number;
  instanceType: string;
  securityGroupId: string;
  subnetId?: string | undefined;
  diskSizeGiB: number;
  encrypted: boolean;
  tags: Tags;
  sipPort: number;
  httpsPort: number;
  adminUser: string;
  /** Time allowed from launch until every probe passes. @default 15 min */
  budgetMs?: number;
}

/** What the smoke check found: the last round of probes. */
export interface SmokeFromOutsideResult {
  ok: boolean;
  instanceId: string;
  checks: ProbeCheck[];
}

// The inbound rules the probes need on the smoke instance's security group: the gateway's public SIP and HTTPS ports, from anywhere (as the templates open them).
export function probeIngressRules(sipPort: number, httpsPort: number) {
  return [
    { protocol: "udp" as const, from: sipPort, to: sipPort, cidrs: ["0.0.0.0/0"] },
    { protocol: "tcp" as const, from: httpsPort, to: httpsPort, cidrs: ["0.0.0.0/0"] },
  ];
}

// Launches the smoke instance (journaled at once), waits for its public address, probes until all pass or time is up.
export async function smokeFromOutside(
  ctx: { ports: CloudPorts; probe: GatewayProbePort; journal: JournalFile; region: string; withRetry: WithRetry; signal?: AbortSignal | undefined },
  input: SmokeFromOutsideInput,
): Promise<SmokeFromOutsideResult> {
  const { ports, journal, region, withRetry, signal } = ctx;
  const budgetMs = input.budgetMs ?? 15 * 60_000;
  const instanceId = await withRetry(() =>
    ports.ec2.runInstance(region, {
      imageId: input.imageId,
      instanceType: input.instanceType,
      securityGroupId: input.securityGroupId,
      diskSizeGiB: input.diskSizeGiB,
      encrypted: input.encrypted,
      clientToken: clientTokenFor(input.buildId, region, `smoke#${input.attempt}`),
      tags: input.tags,
      ...(input.subnetId ? { subnetId: input.subnetId } : {}),
    }),
  ).catch((error: unknown) => Promise.reject(describeLaunchError(error, { region, purpose: "smoke", instanceType: input.instanceType })));
  recordTemporary(journal, { kind: "instance", region, id: instanceId });
  const address = await waitFor(
    async () => {
      const [found] = await withRetry(() => ports.ec2.describeInstances(region, { instanceIds: [instanceId] }), { retryCodes: ["InvalidInstanceID.NotFound"] });
      if (found && ["terminated", "shutting-down", "stopped", "stopping"].includes(found.state))
        throw new Error(`smoke instance ${instanceId} is ${found.state}`);
      if (found?.state !== "running") return undefined;
      if (!found.publicIp)
        throw new Error(
          `smoke instance ${instanceId} in ${region} has no public IPv4 address: the probes from this machine cannot reach it; use a subnet that maps public addresses (image.builder.subnetId) or the default VPC`,
        );
      return found.publicIp;
    },
    { clock: ports.clock, what: `smoke instance ${instanceId} to run`, budgetMs, intervalMs: 5_000, signal },
  );
  const target = { region, instanceId, address, sipPort: input.sipPort, httpsPort: input.httpsPort, adminUser: input.adminUser };
  let checks: ProbeCheck[] = [];
  try {
    await waitFor(
      async () => {
        checks = await ctx.probe.probe(target);
        return checks.every((c) => c.ok) ? true : undefined;
      },
      { clock: ports.clock, what: `the gateway on ${instanceId} (${address}) to answer`, budgetMs, intervalMs: 15_000, signal },
    );
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
  }
  return { ok: checks.length > 0 && checks.every((c) => c.ok), instanceId, checks };
}
