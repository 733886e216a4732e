import type { CloudPorts, GatewayProbePort } from "../../../cloud/ports.ts";
import type { AccountSettings } from "./account-settings.ts";
import { createFakeEbs } from "./fake-ebs.ts";
import { createFakeProbe } from "./fake-probe.ts";
import { createFakeEc2, imageState, instanceState, liveVolumes } from "./fake-ec2.ts";
import { createFakeIam, createFakeSts } from "./fake-s3-iam-sts.ts";
import { createFakeS3 } from "./fake-s3.ts";
import { createFakeSsm } from "./fake-ssm.ts";
import { seedDefaultNetwork } from "./fake-network.ts";
import { createFakeContext, type FakeContext, type FakeFaults, type FakeState, type FakeTimings } from "./fake-state.ts";
import { createVirtualClock, type VirtualClock } from "./virtual-clock.ts";

/** The 17 regions every account has by default. */
export const defaultRegions = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
];

const debianOwner = "136693071363";

/** A fake cloud: ports to hand to the code under test, state and knobs for the test. */
export interface FakeCloud {
  ports: CloudPorts;
  state: FakeState;
  faults: FakeFaults;
  timings: FakeTimings;
  clock: VirtualClock;
  context: FakeContext;
  /** Probes from outside, answered for the fake's instances (fake-probe.ts). */
  probe: GatewayProbePort;
  /** Temporary resources still alive (rtcgw-tagged snapshots no image uses and volumes attached to nothing too): what a test expects to be empty after any run. */
  listLeftovers(): string[];
  /** Live images owned by the account, per region. */
  listOwnImages(region?: string): ReturnType<typeof imageStates>;
}

function imageStates(ctx: FakeContext, region?: string) {
  return ctx.state.images
    .filter((i) => i.ownerId === ctx.state.accountId && !i.deregistered && (!region || i.region === region))
    .map((i) => ({ ...i, state: imageState(ctx, i) }));
}

// Makes a fake AWS account (with the given per-region account settings) with a default VPC (unless `faults.noDefaultVpcIn` says otherwise) and official Debian 13 base
// images (without the SSM agent, as the real ones) in every region.
export function createFakeCloud(
  options: {
    regions?: string[];
    faults?: Partial<FakeFaults>;
    timings?: Partial<FakeTimings>;
    clock?: VirtualClock;
    accountSettings?: Record<string, Partial<AccountSettings>>;
  } = {},
): FakeCloud {
  const clock = options.clock ?? createVirtualClock();
  const regions = options.regions ?? defaultRegions;
  const faults: FakeFaults = {
    throttleNext: 0,
    instanceInvisibleMs: 0,
    profileInvisibleMs: 0,
    ssmAgentDelayMs: 0,
    provisionFails: false,
    smokeFails: false,
    copyFailsIn: [],
    blockPublicAccessIn: [],
    publicQuotaReachedIn: [],
    disabledRegions: [],
    ...options.faults,
  };
  const timings: FakeTimings = {
    instanceBootMs: 40_000,
    ssmRegisterMs: 60_000,
    provisionMs: 9 * 60_000,
    smokeMs: 90_000,
    stopMs: 45_000,
    terminateMs: 30_000,
    createImageMs: 6 * 60_000,
    copyMsByRegion: {},
    copyMs: 25 * 60_000,
    registerImageMs: 30_000,
    gatewayReadyMs: 45_000,
    snapshotCompleteMs: 3 * 60_000,
    ...options.timings,
  };
  const state: FakeState = {
    accountId: "111122223333",
    regions,
    images: [],
    snapshots: [],
    instances: [],
    volumes: [],
    vpcs: [],
    subnets: [],
    securityGroups: [],
    roles: [],
    profiles: [],
    commands: [],
    parameters: new Map(),
    buckets: new Map(),
    metricData: [],
    accountSettings: new Map(Object.entries(options.accountSettings ?? {})),
    launchTemplateImageIds: new Map(),
    clientTokens: new Map(),
  };
  const context = createFakeContext(clock, state, faults, timings);
  const seedTime = clock.now() - 86_400_000;
  for (const region of regions) {
    if (!faults.noDefaultVpcIn?.includes(region)) seedDefaultNetwork(context, region);
    for (const [arch, date] of [
      ["amd64", "20250610-2140"],
      ["amd64", "20251020-2270"],
      ["arm64", "20251020-2270"],
    ] as const) {
      state.images.push({
        imageId: context.nextId("ami"),
        region,
        name: `debian-13-${arch}-${date}`,
        ownerId: debianOwner,
        createdAt: seedTime - (date.startsWith("2025061") ? 1e10 : 0),
        availableAt: 0,
        fails: false,
        deregistered: false,
        public: true,
        launchAccounts: [],
        tags: {},
        snapshotIds: [],
        imdsV2: false,
        encrypted: false,
        provisioned: false,
        arch,
        ssmAgent: false,
        sealed: true,
      });
    }
    if (faults.publicQuotaReachedIn.includes(region)) {
      for (let n = 0; n < 5; n++) {
        state.images.push({
          imageId: context.nextId("ami"),
          region,
          name: `other-public-${n}`,
          ownerId: state.accountId,
          createdAt: seedTime,
          availableAt: 0,
          fails: false,
          deregistered: false,
          public: true,
          launchAccounts: [],
          tags: { owner: "someone-else" },
          snapshotIds: [],
          imdsV2: true,
          encrypted: false,
          provisioned: true,
          arch: "amd64",
          ssmAgent: true,
          sealed: true,
        });
      }
    }
  }
  const ports: CloudPorts = {
    ec2: createFakeEc2(context),
    ebs: createFakeEbs(context),
    ssm: createFakeSsm(context),
    s3: createFakeS3(context),
    iam: createFakeIam(context),
    sts: createFakeSts(context),
    clock,
  };
  return {
    ports,
    state,
    faults,
    timings,
    clock,
    context,
    probe: createFakeProbe(context),
    listOwnImages: (region) => imageStates(context, region),
    listLeftovers: () => [
      ...state.instances.filter((i) => instanceState(context, i) !== "terminated").map((i) => `instance ${i.instanceId} (${i.region})`),
      ...state.securityGroups.filter((g) => !g.deleted).map((g) => `security group ${g.groupId} (${g.region})`),
      ...state.roles.filter((r) => !r.deleted).map((r) => `role ${r.name}`),
      ...state.profiles.filter((p) => !p.deleted).map((p) => `instance profile ${p.name}`),
      ...state.snapshots
        .filter((s) => !s.deleted && s.tags["rtcgw:build"] && !state.images.some((i) => !i.deregistered && i.snapshotIds.includes(s.snapshotId)))
        .map((s) => `snapshot ${s.snapshotId} (${s.region})`),
      ...liveVolumes(context)
        .filter((v) => !v.instanceId && v.tags["rtcgw:build"])
        .map((v) => `volume ${v.volumeId} (${v.region})`),
      ...[...state.buckets.entries()].flatMap(([name, b]) =>
        [...b.objects.keys()].filter((k) => k.startsWith("staging/")).map((k) => `staging object s3://${name}/${k}`),
      ),
    ],
  };
}
