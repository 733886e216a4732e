import type { Tags } from "../../../cloud/ports.ts";
import type { CloudRun } from "../../../cloud/cloud-run.ts";
import { recordTemporary, type JournalFile } from "../../../cloud/journal.ts";

const ssmCorePolicy = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** Where and how temporary resources are made: the run's ports and retry, its journal and region. */
export interface TemporaryContext extends Pick<CloudRun, "ports" | "withRetry"> {
  journal: JournalFile;
  region: string;
}

// Creates the builder's role (AmazonSSMManagedInstanceCore and nothing else: no S3 access, no inline policy; the command
// scripts upload their logs through URLs the operator presigned) and its instance profile, each journaled before anything
// waits on them.
export async function createBuilderProfile(ctx: TemporaryContext, name: string, tags: Tags): Promise<string> {
  const { ports, journal, withRetry } = ctx;
  await withRetry(() => ports.iam.createRole({ name, path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags }));
  recordTemporary(journal, { kind: "role", region: "global", id: name });
  await withRetry(() => ports.iam.attachRolePolicy(name, ssmCorePolicy));
  await withRetry(() => ports.iam.createInstanceProfile({ name, path: "/rtcgw/", roleName: name, tags }));
  recordTemporary(journal, { kind: "instance-profile", region: "global", id: name });
  return name;
}

// Creates a security group with no inbound rules (SSM needs only outbound) in the builder's VPC, journaled at once.
export async function createBuilderSecurityGroup(
  ctx: TemporaryContext,
  name: string,
  tags: Tags,
  vpcId: string,
  description = "rtcgw image build: no inbound rules, SSM only",
): Promise<string> {
  const { ports, journal, region, withRetry } = ctx;
  const groupId = await withRetry(() => ports.ec2.createSecurityGroup(region, { name, description, tags, vpcId }));
  recordTemporary(journal, { kind: "security-group", region, id: groupId });
  return groupId;
}
