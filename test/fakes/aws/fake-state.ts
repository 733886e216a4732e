import { CloudError, type ExpiryRule, type PublicAccessBlock, type Tags } from "../../../cloud/ports.ts";
import type { AccountSettings } from "./account-settings.ts";
import type { VirtualClock } from "./virtual-clock.ts";

/** How long things take in the fake cloud (virtual ms). */
export interface FakeTimings {
  instanceBootMs: number;
  ssmRegisterMs: number;
  provisionMs: number;
  smokeMs: number;
  stopMs: number;
  terminateMs: number;
  createImageMs: number;
  /** Copy duration per destination region; `copyMs` for the rest. */
  copyMsByRegion: Record<string, number>;
  copyMs: number;
  /** From `running` until an instance of a registered (disk) image answers SIP and HTTPS from outside. */
  gatewayReadyMs: number;
  /** From RegisterImage until the image is available. */
  registerImageMs: number;
  /** From CompleteSnapshot until a snapshot written through the EBS direct APIs is `completed`. */
  snapshotCompleteMs: number;
}

/** Faults to inject; each is off by default. */
export interface FakeFaults {
  /** The next N calls (any operation) fail with RequestLimitExceeded. */
  throttleNext: number;
  /** For this long after RunInstances the instance id is unknown to every other call (eventual consistency). */
  instanceInvisibleMs: number;
  /** For this long after CreateInstanceProfile, RunInstances refuses the profile (IAM is eventually consistent). */
  profileInvisibleMs: number;
  /** Extra delay before the SSM agent registers. */
  ssmAgentDelayMs: number;
  provisionFails: boolean;
  smokeFails: boolean;
  copyFailsIn: string[];
  /** Copies the account may have in flight into one region (EC2's concurrent CopyImage limit): one more is refused with ResourceLimitExceeded. */
  concurrentCopyLimit?: number;
  /** Regions where AMI block public access is on (as `accountSettings`' imageBlockPublicAccess; tests flip it mid-run). */
  blockPublicAccessIn: string[];
  /** Regions where the account already has 5 public AMIs. */
  publicQuotaReachedIn: string[];
  /** Opt-in regions the account has not enabled. */
  disabledRegions: string[];
  /** Regions where the account has no default VPC (deleted, or never made): seeded so when the fake cloud is created. */
  noDefaultVpcIn?: string[];
  /** For this long after PutPublicAccessBlock, the bucket's previous setting still governs PutBucketPolicy (S3 is eventually consistent). */
  blockPublicAccessPropagationMs?: number;
  /** The next N PutSnapshotBlock bodies arrive altered (a byte flipped on the way): EBS finds the checksum does not match and refuses the block. */
  corruptNextBlocks?: number;
  /** Whether images registered from a snapshot serve (answer the smoke probes); default true. */
  registeredImagesServe?: boolean;
  /** Snapshots written through the EBS direct APIs go to `error` instead of `completed` after CompleteSnapshot. */
  snapshotFailsAfterComplete?: boolean;
  /** Called before every operation (tests use it to crash or abort at a chosen point). */
  onCall?: (operation: string, region: string) => void;
}

/** An AMI in the fake cloud. */
export interface FakeImage {
  imageId: string;
  region: string;
  name: string;
  ownerId: string;
  createdAt: number;
  availableAt: number;
  fails: boolean;
  deregistered: boolean;
  public: boolean;
  launchAccounts: string[];
  tags: Tags;
  snapshotIds: string[];
  deprecationTime?: string;
  imdsV2: boolean;
  encrypted: boolean;
  /** The KMS key of its snapshots when encrypted (account-settings.ts). */
  kmsKeyId?: string;
  /** Whether the instance it came from ran the bundle successfully (what the smoke test finds). */
  provisioned: boolean;
  arch: "amd64" | "arm64";
  /** Whether the SSM agent is installed: not in official Debian AMIs; in an image of an instance that had it. */
  ssmAgent: boolean;
  /** RegisterImage's settings, for an image registered from a snapshot (CreateImage and CopyImage leave them out). */
  registered?: { description: string; bootMode: string; enaSupport: boolean; rootDeviceName: string; volumeSizeGiB: number };
  /** False when the disk holds the SSM agent state of the instance it was made from (the seal did not run at its stop). */
  sealed: boolean;
}
/** A snapshot being written (or written) through the EBS direct APIs: only the blocks written are stored, the rest read as zeros. */
export interface FakeDirectUpload {
  volumeSizeGiB: number;
  blocks: Map<number, Uint8Array>;
  timeoutMinutes: number;
  /** StartSnapshot or the last PutSnapshotBlock: the Timeout counts from here. */
  lastActivityAt: number;
  description: string;
  completedAt?: number;
  /** Set when the snapshot went to `error` for a reason other than its Timeout. */
  error?: string;
}
/** An EBS snapshot in the fake cloud: made by CreateImage/CopyImage (completed with its image), or written block by block (`direct`). */
export interface FakeSnapshot {
  snapshotId: string;
  region: string;
  tags: Tags;
  encrypted: boolean;
  kmsKeyId?: string;
  accounts: string[];
  deleted: boolean;
  direct?: FakeDirectUpload;
}
/** An EC2 instance in the fake cloud. */
export interface FakeInstance {
  instanceId: string;
  region: string;
  imageId: string;
  tags: Tags;
  launchedAt: number;
  stopAt?: number;
  terminateAt?: number;
  profile: string;
  securityGroupId: string;
  imdsV2Required: boolean;
  provisioned: boolean;
  encrypted?: boolean;
  /** The KMS key of its volume when encrypted. */
  kmsKeyId?: string;
  /** The subnet it runs in (RunInstances' SubnetId, or the default VPC's default subnet). */
  subnetId?: string;
  /** The user data as cloud-init reads it (decoded). */
  userData?: string;
  /** Its public IPv4 address: given at launch in a subnet that maps public addresses. */
  publicIp?: string;
  /** A provisioning command armed the seal that runs when the instance stops. */
  sealArmed?: boolean;
}
/** An EBS volume in the fake cloud. */
export interface FakeVolume {
  volumeId: string;
  region: string;
  tags: Tags;
  deleted: boolean;
  /** The instance it is attached to (and goes with when terminated). */
  instanceId?: string;
}
/** An SSM Run Command invocation in the fake cloud. */
export interface FakeCommand {
  commandId: string;
  region: string;
  instanceId: string;
  kind: "provision" | "smoke" | "other";
  startedAt: number;
  endsAt: number;
  ok: boolean;
  output: string;
  cancelled: boolean;
  /** The script starts the unit that seals the instance at its stop. */
  armsSeal?: boolean;
  /** The URL the script's exit trap uploads its log to (`curl … -T <file> '<url>'`), when it has one. */
  logUploadUrl?: string;
  /** Set when the command ended: whether its log landed in S3 (the URL must be a valid presigned PUT of the fake S3, unexpired then), and where. */
  logUploaded?: boolean;
  logKey?: string;
}

/** A VPC of the fake account. */
export interface FakeVpc {
  vpcId: string;
  region: string;
  isDefault: boolean;
}

/** A subnet of the fake account. */
export interface FakeSubnet {
  subnetId: string;
  vpcId: string;
  region: string;
  availabilityZone: string;
  /** A default VPC's subnets assign public IPv4 addresses. */
  mapPublicIpOnLaunch: boolean;
  /** A default subnet of its region: where RunInstances without SubnetId starts an instance. */
  defaultForAz: boolean;
}

/** An IAM role of the fake account: managed policies attached by ARN, inline policies by name (JSON documents: rtcgw writes none, roles of older builds had one; tests seed them). */
export interface FakeRole {
  name: string;
  path: string;
  tags: Tags;
  policies: string[];
  inlinePolicies: Record<string, string>;
  deleted: boolean;
}

/** An S3 bucket in the fake cloud: objects with their write times, tags, lifecycle, policy and Block Public Access. */
export interface FakeBucket {
  region: string;
  objects: Map<string, Uint8Array>;
  writtenAt: Map<string, number>;
  tags: Tags;
  expiry: ExpiryRule[];
  policy?: string;
  publicAccessBlock: PublicAccessBlock;
  /** The setting replaced by the last PutPublicAccessBlock, still in force until `until`. */
  previousBlock?: { block: PublicAccessBlock; until: number };
}

/** The whole fake cloud's state: tests read it to assert outcomes. */
export interface FakeState {
  accountId: string;
  regions: string[];
  images: FakeImage[];
  snapshots: FakeSnapshot[];
  instances: FakeInstance[];
  /** EBS volumes: RunInstances makes one per instance (deleted with it, DeleteOnTermination); tests seed orphans without `instanceId`. */
  volumes: FakeVolume[];
  vpcs: FakeVpc[];
  subnets: FakeSubnet[];
  securityGroups: {
    groupId: string;
    region: string;
    name: string;
    vpcId: string;
    tags: Tags;
    deleted: boolean;
    /** Inbound rules added by AuthorizeSecurityGroupIngress (none at creation). */
    ingress?: { protocol: "udp" | "tcp"; from: number; to: number; cidrs: string[] }[];
  }[];
  roles: FakeRole[];
  profiles: { name: string; path?: string; roleName: string | undefined; tags: Tags; deleted: boolean; createdAt: number }[];
  commands: FakeCommand[];
  /** Parameters by `region:name`; `kmsKeyId`: a SecureString under that customer managed key (tests seed it: GetParameter with decryption then needs kms:Decrypt). */
  parameters: Map<string, { value: string; dataType: string; version: number; kmsKeyId?: string }>;
  buckets: Map<string, FakeBucket>;
  /** The account-level S3 Block Public Access (undefined: not configured). */
  accountPublicAccessBlock?: PublicAccessBlock;
  /** PutMetricData calls (the appliance's metrics), in order. */
  metricData: { region: string; namespace: string; names: string[] }[];
  /** Per region: EBS encryption by default and its key, AMI block public access (absent: AWS's defaults; account-settings.ts). */
  accountSettings: Map<string, Partial<AccountSettings>>;
  launchTemplateImageIds: Map<string, string[]>;
  clientTokens: Map<string, { params: string; result: string }>;
}

/** What every fake service shares. */
export interface FakeContext {
  state: FakeState;
  faults: FakeFaults;
  timings: FakeTimings;
  clock: VirtualClock;
  nextId(prefix: string): string;
  /** Applies faults common to every call: throttling, disabled regions, the onCall hook. */
  enter(operation: string, region: string): void;
}

// Builds the shared context of a fake cloud.
export function createFakeContext(clock: VirtualClock, state: FakeState, faults: FakeFaults, timings: FakeTimings): FakeContext {
  let counter = 0;
  return {
    state,
    faults,
    timings,
    clock,
    nextId: (prefix) => `${prefix}-${(++counter).toString(16).padStart(17, "0")}`,
    enter(operation, region) {
      faults.onCall?.(operation, region);
      if (faults.throttleNext > 0) {
        faults.throttleNext--;
        throw new CloudError("RequestLimitExceeded", `Request limit exceeded (${operation})`);
      }
      if (faults.disabledRegions.includes(region)) throw new CloudError("OptInRequired", `You are not subscribed to region ${region}`);
    },
  };
}

// Tells whether tags match a `{ key, value? }` filter (value omitted: the key alone).
export function matchesTag(tags: Tags, tag?: { key: string; value?: string }): boolean {
  return !tag || (tag.key in tags && (tag.value === undefined || tags[tag.key] === tag.value));
}

// Idempotency by ClientToken: same token + same params → same result; same token + other params → error.
export function withClientToken(ctx: FakeContext, scope: string, token: string, params: unknown, create: () => string): string {
  const key = `${scope}:${token}`;
  const seen = ctx.state.clientTokens.get(key);
  const text = JSON.stringify(params);
  if (seen) {
    if (seen.params !== text) throw new CloudError("IdempotentParameterMismatch", `Client token ${token} was used with other parameters`);
    return seen.result;
  }
  const result = create();
  ctx.state.clientTokens.set(key, { params: text, result });
  return result;
}
