import { CloudError, type RunInstanceInput } from "../../../cloud/ports.ts";
import { clientTokenFor } from "../../../cloud/naming.ts";
import type { CloudRun } from "../../../cloud/cloud-run.ts";
import { WaitTimeoutError, waitFor } from "../../../cloud/wait.ts";
import { recordTemporary, type JournalFile } from "../../../cloud/journal.ts";

/** An instance to start for building or smoke-testing. */
export interface LaunchInput extends Omit<RunInstanceInput, "clientToken"> {
  region: string;
  buildId: string;
  purpose: "builder" | "smoke";
  /** The build attempt (journal.ts): a rerun's RunInstances must not reuse an earlier attempt's ClientToken, made with other parameters. */
  attempt: number;
  /** Time allowed until the SSM agent is online. @default 20 min */
  budgetMs?: number;
}

// Starts an instance (IMDSv2 required, tagged at creation, ClientToken per build, attempt and purpose), journals it at once,
// and waits until it runs and its SSM agent is online (on a Debian base only when `userData` installs the agent:
// see ssm-agent-user-data.ts).
export async function launchManagedInstance(input: LaunchInput, run: CloudRun, journal: JournalFile): Promise<string> {
  const { ports, signal, withRetry } = run;
  const { region } = input;
  const budgetMs = input.budgetMs ?? 20 * 60_000;
  // A fresh instance profile is not usable for a few seconds (IAM is eventually consistent): that one InvalidParameterValue is
  // retried; any other is permanent (an instance type of the other architecture, ...) and fails the launch at once.
  const instanceId = await withRetry(
    () =>
      ports.ec2.runInstance(region, {
        imageId: input.imageId,
        instanceType: input.instanceType,
        instanceProfileName: input.instanceProfileName,
        securityGroupId: input.securityGroupId,
        diskSizeGiB: input.diskSizeGiB,
        encrypted: input.encrypted,
        clientToken: clientTokenFor(input.buildId, region, `${input.purpose}#${input.attempt}`),
        tags: input.tags,
        ...(input.userData === undefined ? {} : { userData: input.userData }),
        ...(input.subnetId === undefined ? {} : { subnetId: input.subnetId }),
      }),
    { retryIf: isProfilePropagation },
  ).catch((error: unknown) => Promise.reject(describeLaunchError(error, input)));
  recordTemporary(journal, { kind: "instance", region, id: instanceId });
  await waitFor(
    async () => {
      const [found] = await withRetry(() => ports.ec2.describeInstances(region, { instanceIds: [instanceId] }), { retryCodes: ["InvalidInstanceID.NotFound"] });
      if (found && ["terminated", "shutting-down", "stopped"].includes(found.state))
        throw new Error(`${input.purpose} instance ${instanceId} is ${found.state}`);
      return found?.state === "running" ? true : undefined;
    },
    { clock: ports.clock, what: `${input.purpose} instance ${instanceId} to run`, budgetMs, intervalMs: 5_000, signal },
  );
  // The agent comes online only if the instance reaches the internet (the agent's download, then SSM): a timeout names the subnet.
  await waitFor(async () => ((await withRetry(() => ports.ssm.isInstanceManaged(region, instanceId))) ? true : undefined), {
    clock: ports.clock,
    what: `the SSM agent of ${instanceId}`,
    budgetMs,
    intervalMs: 10_000,
    signal,
  }).catch((error: unknown) => {
    if (!(error instanceof WaitTimeoutError)) throw error;
    const network = input.subnetId ? `subnet ${input.subnetId} (image.builder.subnetId)` : "its default subnet";
    throw new WaitTimeoutError(`${error.message}: the instance needs outbound internet access from ${network} to download the agent and reach SSM`);
  });
  return instanceId;
}

// EC2's answer while a new instance profile has not reached it yet: "Value (NAME) for parameter iamInstanceProfile.name is
// invalid. Invalid IAM Instance Profile name" (pure).
export function isProfilePropagation(error: CloudError): boolean {
  return error.code === "InvalidParameterValue" && /parameter iamInstanceProfile\.name is invalid/i.test(error.message);
}

// A permanent InvalidParameterValue of RunInstances, said with where it happened and which recipe field to look at (pure).
export function describeLaunchError(error: unknown, input: Pick<LaunchInput, "region" | "purpose" | "instanceType">): unknown {
  if (!(error instanceof CloudError) || error.code !== "InvalidParameterValue") return error;
  const parameter = /for parameter (\S+)/i.exec(error.message)?.[1] ?? (/instance type|InstanceType/.test(error.message) ? "instanceType" : undefined);
  const fix =
    parameter === "instanceType"
      ? `image.builder.instanceType (${input.instanceType}) must be a type of image.arch's architecture that ${input.region} offers`
      : "check the recipe's image.builder settings";
  return new CloudError(
    error.code,
    `RunInstances of the ${input.purpose} instance in ${input.region} was refused${parameter ? ` (parameter ${parameter})` : ""}, not retried: ${error.message.replace(/^InvalidParameterValue: /, "")} Fix: ${fix}.`,
  );
}

// Finds the newest official Debian 13 AMI for an architecture (owner 136693071363).
export async function findDebianBaseImage(run: CloudRun, region: string, arch: "amd64" | "arm64"): Promise<{ imageId: string; name: string } | undefined> {
  const { ports, withRetry } = run;
  const images = await withRetry(() => ports.ec2.describeImages(region, { owners: ["136693071363"], name: `debian-13-${arch}-*` }));
  const newest = images.filter((i) => i.state === "available").sort((a, b) => b.creationDate.localeCompare(a.creationDate))[0];
  return newest ? { imageId: newest.imageId, name: newest.name } : undefined;
}
