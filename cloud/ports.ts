// The AWS operations rtcgw uses, as narrow region-scoped interfaces: the SDK adapters and the fake cloud implement them.

/** Resource tags as a plain map. */
export type Tags = Record<string, string>;

/** An AMI as rtcgw sees it. */
export interface ImageRecord {
  imageId: string;
  name: string;
  state: "pending" | "available" | "failed" | "deregistered";
  ownerId: string;
  creationDate: string;
  public: boolean;
  tags: Tags;
  snapshotIds: string[];
  launchAccounts: string[];
  deprecationTime?: string;
  stateReason?: string;
  /** `v2.0`: instances of the image require IMDSv2 (ModifyImageAttribute ImdsSupport). */
  imdsSupport?: "v2.0";
}

/** Which images to list; every given field must match. */
export interface ImageQuery {
  imageIds?: string[];
  owners?: string[];
  /** A name pattern with `*` wildcards, as EC2's `name` filter. */
  name?: string;
  tag?: { key: string; value?: string };
  publicOnly?: boolean;
}

/** An EC2 instance as rtcgw sees it. */
export interface InstanceRecord {
  instanceId: string;
  state: "pending" | "running" | "stopping" | "stopped" | "shutting-down" | "terminated";
  imageId: string;
  tags: Tags;
  /** Its public IPv4 address, once it has one (a subnet that maps public addresses at launch). */
  publicIp?: string;
}

/** An EBS snapshot as rtcgw sees it (one the account owns). */
export interface SnapshotRecord {
  snapshotId: string;
  tags: Tags;
  /** `pending` while EBS direct APIs write it (or EC2 copies it), `completed` once usable, `error` when it failed (a direct upload not completed within its Timeout). */
  state: "pending" | "completed" | "error";
  /** Why it is in `error`, when EC2 says. */
  stateMessage?: string;
}

/** How a snapshot boots once registered: the disk rtcgw builds has GRUB for both BIOS and UEFI. */
export type BootMode = "legacy-bios" | "uefi" | "uefi-preferred";

/** What RegisterImage needs for an AMI whose root volume is one EBS snapshot. */
export interface RegisterImageInput {
  name: string;
  description: string;
  snapshotId: string;
  /** The root volume's size; at least the snapshot's. */
  volumeSizeGiB: number;
  architecture: "x86_64" | "arm64";
  bootMode: BootMode;
  tags: Tags;
}

/** An EBS volume as rtcgw sees it: `available` is attached to no instance. */
export interface VolumeRecord {
  volumeId: string;
  state: "creating" | "available" | "in-use" | "deleting" | "deleted" | "error";
  tags: Tags;
}

/** What RunInstances needs for a builder or smoke-test instance. */
export interface RunInstanceInput {
  imageId: string;
  instanceType: string;
  /** Omitted: no instance profile (the smoke instance of a disk image needs no AWS access). */
  instanceProfileName?: string;
  securityGroupId: string;
  /** The subnet to launch in (its VPC must be the security group's); omitted: a default subnet of the default VPC. */
  subnetId?: string;
  diskSizeGiB: number;
  encrypted: boolean;
  clientToken: string;
  tags: Tags;
  /** A script cloud-init runs at the instance's first boot, as plain text (the SDK adapter base64-encodes it). Never a secret: anyone who can describe the instance can read it. */
  userData?: string;
}

/** A subnet as rtcgw sees it. */
export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  /** Whether instances launched in it get a public IPv4 address. */
  mapPublicIpOnLaunch: boolean;
}

/** EC2 operations, each in one region. */
export interface Ec2Port {
  describeRegions(): Promise<{ name: string; optInStatus: string }[]>;
  describeImages(region: string, query: ImageQuery): Promise<ImageRecord[]>;
  getImageBlockPublicAccessState(region: string): Promise<"unblocked" | "block-new-sharing">;
  /** EBS encryption by default in the region, and the key new encrypted volumes and AMI copies get there (`alias/aws/ebs` unless the account chose a customer managed key). */
  getEbsEncryptionDefaults(region: string): Promise<{ enabled: boolean; kmsKeyId: string }>;
  copyImage(
    region: string,
    input: { sourceRegion: string; sourceImageId: string; name: string; description: string; clientToken: string; tags: Tags },
  ): Promise<string>;
  createImage(region: string, input: { instanceId: string; name: string; description: string; tags: Tags }): Promise<string>;
  requireImdsV2(region: string, imageId: string): Promise<void>;
  tagResource(region: string, resourceId: string, tags: Tags): Promise<void>;
  shareImage(region: string, imageId: string, share: { public: true } | { accounts: string[] }): Promise<void>;
  shareSnapshot(region: string, snapshotId: string, accounts: string[]): Promise<void>;
  deprecateImage(region: string, imageId: string, at: Date): Promise<void>;
  deregisterImage(region: string, imageId: string): Promise<void>;
  deleteSnapshot(region: string, snapshotId: string): Promise<void>;
  /** An AMI whose root device (`/dev/xvda`, gp3, deleted on termination) is the snapshot: ENA, the boot mode, IMDSv2 only, tagged at creation. */
  registerImage(region: string, input: RegisterImageInput): Promise<string>;
  /** One snapshot the account owns, undefined when there is none of that id. */
  describeSnapshot(region: string, snapshotId: string): Promise<SnapshotRecord | undefined>;
  /** Snapshots the account owns with the tag. */
  describeSnapshots(region: string, tag: { key: string; value?: string }): Promise<SnapshotRecord[]>;
  describeVolumes(region: string, tag: { key: string; value?: string }): Promise<VolumeRecord[]>;
  deleteVolume(region: string, volumeId: string): Promise<void>;
  /** The subnet, undefined when the region has none of that id. */
  describeSubnet(region: string, subnetId: string): Promise<SubnetRecord | undefined>;
  /** The id of the region's default VPC, undefined when the account has none there. */
  findDefaultVpc(region: string): Promise<string | undefined>;
  /** `vpcId` omitted: the default VPC. */
  createSecurityGroup(region: string, input: { name: string; description: string; tags: Tags; vpcId?: string }): Promise<string>;
  /** Adds inbound rules (protocol, port range, IPv4 or IPv6 CIDRs) to a security group. */
  authorizeIngress(
    region: string,
    groupId: string,
    rules: readonly { protocol: "udp" | "tcp"; from: number; to: number; cidrs: readonly string[] }[],
  ): Promise<void>;
  deleteSecurityGroup(region: string, groupId: string): Promise<void>;
  describeSecurityGroups(region: string, tag: { key: string; value?: string }): Promise<{ groupId: string; tags: Tags }[]>;
  runInstance(region: string, input: RunInstanceInput): Promise<string>;
  describeInstances(region: string, query: { instanceIds?: string[]; tag?: { key: string; value?: string }; imageIds?: string[] }): Promise<InstanceRecord[]>;
  stopInstance(region: string, instanceId: string): Promise<void>;
  terminateInstance(region: string, instanceId: string): Promise<void>;
  listLaunchTemplateImageIds(region: string): Promise<string[]>;
}

/** The state of one SSM Run Command invocation. */
export interface CommandInvocation {
  status: "Pending" | "InProgress" | "Delayed" | "Success" | "Failed" | "TimedOut" | "Cancelled" | "Cancelling";
  exitCode: number;
  /** At most 24,000 characters, as the API returns them. */
  stdout: string;
  stderr: string;
}

/** SSM operations: Run Command and Parameter Store. */
export interface SsmPort {
  isInstanceManaged(region: string, instanceId: string): Promise<boolean>;
  /** Runs `AWS-RunShellScript`; its output is kept by the API only (no OutputS3BucketName: the scripts upload their own logs through a presigned URL). */
  sendShellCommand(region: string, input: { instanceId: string; commands: string[]; comment: string; timeoutSeconds: number }): Promise<string>;
  getCommandInvocation(region: string, commandId: string, instanceId: string): Promise<CommandInvocation>;
  cancelCommand(region: string, commandId: string): Promise<void>;
  getParameter(region: string, name: string): Promise<string | undefined>;
  putParameter(region: string, input: { name: string; value: string; dataType: "text" | "aws:ec2:image"; tags: Tags }): Promise<void>;
}

/** The EBS direct APIs' write side: a snapshot made from blocks the caller sends (its state is EC2's, `Ec2Port.describeSnapshot`). */
export interface EbsPort {
  /** StartSnapshot: a new `pending` snapshot of a volume of that size; `timeoutMinutes` without a write or CompleteSnapshot puts it in `error`. */
  startSnapshot(
    region: string,
    input: { volumeSizeGiB: number; description: string; tags: Tags; clientToken: string; timeoutMinutes: number },
  ): Promise<{ snapshotId: string; blockSize: number }>;
  /** PutSnapshotBlock: one 512 KiB block with its base64 SHA-256 (ChecksumAlgorithm SHA256), checked by EBS against the bytes it received. */
  putSnapshotBlock(region: string, input: { snapshotId: string; blockIndex: number; data: Uint8Array; checksum: string }): Promise<void>;
  /** CompleteSnapshot: no more blocks; EBS checks the count of blocks written. Returns the snapshot's status then. */
  completeSnapshot(region: string, snapshotId: string, changedBlocksCount: number): Promise<"pending" | "completed" | "error">;
}

/** S3 Block Public Access, at bucket or account level. */
export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** A lifecycle rule: objects under `prefix` expire `days` after they were written. */
export interface ExpiryRule {
  id: string;
  prefix: string;
  days: number;
}

/** How rtcgw's bucket is set up: tags and lifecycle at creation, added to an existing bucket that lacks them. */
export interface BucketSetup {
  tags: Tags;
  expiry: ExpiryRule[];
}

/** S3 operations (staging, command output, templates, go page). */
export interface S3Port {
  /** Creates the bucket (tagged, then its lifecycle) when it does not exist; an existing bucket gets the rules and tags it lacks, the rest is kept. */
  ensureBucket(region: string, bucket: string, setup: BucketSetup): Promise<void>;
  putObject(region: string, bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  getObject(region: string, bucket: string, key: string): Promise<Uint8Array | undefined>;
  listObjects(region: string, bucket: string, prefix: string): Promise<string[]>;
  deleteObject(region: string, bucket: string, key: string): Promise<void>;
  presignGet(region: string, bucket: string, key: string, expiresSeconds: number): Promise<string>;
  /** A URL that lets whoever holds it PUT this one key (a plain HTTP PUT of the body, no headers to sign) until it expires; signed with the caller's credentials. */
  presignPut(region: string, bucket: string, key: string, expiresSeconds: number): Promise<string>;
  /** The bucket policy as JSON text, undefined when there is none. */
  getBucketPolicy(region: string, bucket: string): Promise<string | undefined>;
  /** Sets the bucket policy; undefined deletes it. */
  putBucketPolicy(region: string, bucket: string, policy: string | undefined): Promise<void>;
  getPublicAccessBlock(region: string, bucket: string): Promise<PublicAccessBlock | undefined>;
  putPublicAccessBlock(region: string, bucket: string, block: PublicAccessBlock): Promise<void>;
  /** The account-level S3 Block Public Access (S3 Control), undefined when not configured. */
  getAccountPublicAccessBlock(region: string, accountId: string): Promise<PublicAccessBlock | undefined>;
}

/** IAM operations for the temporary builder role and instance profile. */
export interface IamPort {
  createRole(input: { name: string; path: string; trustService: string; tags: Tags }): Promise<void>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  createInstanceProfile(input: { name: string; path: string; roleName: string; tags: Tags }): Promise<void>;
  deleteInstanceProfile(name: string, roleName: string): Promise<void>;
  /** Detaches its managed policies, deletes its inline policies (rtcgw writes none any more; roles of older builds had one) and deletes the role. */
  deleteRole(name: string): Promise<void>;
  listRoles(pathPrefix: string): Promise<{ name: string; tags: Tags }[]>;
}

/** STS: who are we. */
export interface StsPort {
  getCallerIdentity(): Promise<{ account: string; arn: string }>;
}

/** One check of a launched gateway, made from outside it. */
export interface ProbeCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** What to probe on a launched gateway: its public address, the SIP (UDP) and HTTPS ports, the admin login (its password is the instance id). */
export interface ProbeTarget {
  region: string;
  instanceId: string;
  address: string;
  sipPort: number;
  httpsPort: number;
  adminUser: string;
}

/** The smoke check of an image with no SSM agent: SIP OPTIONS, HTTPS `/` 401 without and 200 with the admin login, from this machine (image/smoke/probe-from-outside.ts; the fake cloud answers for its instances). */
export interface GatewayProbePort {
  probe(target: ProbeTarget): Promise<ProbeCheck[]>;
}

/** Time, injected wherever code waits: real in production, virtual in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Everything a cloud stage needs. */
export interface CloudPorts {
  ec2: Ec2Port;
  ebs: EbsPort;
  ssm: SsmPort;
  s3: S3Port;
  iam: IamPort;
  sts: StsPort;
  clock: Clock;
}

/** An AWS error with its code, whichever side (SDK or fake) raised it. */
export class CloudError extends Error {
  override name = "CloudError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
