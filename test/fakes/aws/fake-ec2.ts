import { CloudError, type Ec2Port, type ImageRecord, type InstanceRecord } from "../../../cloud/ports.ts";
import { accountSettingsIn, encryptionIn, isAwsManagedEbsKey } from "./account-settings.ts";
import { instanceHasSsmAgent } from "./fake-cloud-init.ts";
import { snapshotState } from "./fake-ebs.ts";
import { defaultVpcOrFail, launchSubnet } from "./fake-network.ts";
import { matchesTag, withClientToken, type FakeContext, type FakeImage, type FakeInstance, type FakeVolume } from "./fake-state.ts";

const publicQuota = 5;

// The architecture of the instance types the tests use, as EC2 knows it (its own table: not the code's rule for `check`).
const instanceTypeArch: Record<string, "amd64" | "arm64"> = {
  t2: "amd64",
  t3: "amd64",
  t3a: "amd64",
  m5: "amd64",
  m6i: "amd64",
  c5: "amd64",
  c6i: "amd64",
  t4g: "arm64",
  m6g: "arm64",
  m7g: "arm64",
  c6g: "arm64",
  c7g: "arm64",
  a1: "arm64",
};
const ec2ArchName = { amd64: "x86_64", arm64: "arm64" } as const;

// Where an image is now, derived from the virtual clock.
export function imageState(ctx: FakeContext, image: FakeImage): ImageRecord["state"] {
  if (image.deregistered) return "deregistered";
  if (ctx.clock.now() < image.availableAt) return "pending";
  return image.fails ? "failed" : "available";
}

// Where an instance is now, derived from the virtual clock.
export function instanceState(ctx: FakeContext, i: FakeInstance): InstanceRecord["state"] {
  const now = ctx.clock.now();
  if (i.terminateAt !== undefined) return now < i.terminateAt + ctx.timings.terminateMs ? "shutting-down" : "terminated";
  if (i.stopAt !== undefined) return now < i.stopAt + ctx.timings.stopMs ? "stopping" : "stopped";
  return now < i.launchedAt + ctx.timings.instanceBootMs ? "pending" : "running";
}

// Volumes not deleted: one of a terminated instance went with it (DeleteOnTermination).
export function liveVolumes(ctx: FakeContext): FakeVolume[] {
  return ctx.state.volumes.filter((v) => {
    const instance = v.instanceId ? ctx.state.instances.find((i) => i.instanceId === v.instanceId) : undefined;
    return !v.deleted && !(instance && instanceState(ctx, instance) === "terminated");
  });
}

// The EC2 port of the fake cloud.
export function createFakeEc2(ctx: FakeContext): Ec2Port {
  const { state, faults, timings, clock } = ctx;
  const findImage = (region: string, imageId: string) => {
    const image = state.images.find((i) => i.region === region && i.imageId === imageId && !i.deregistered);
    if (!image) throw new CloudError("InvalidAMIID.NotFound", `The image id '[${imageId}]' does not exist`);
    return image;
  };
  const findInstance = (region: string, instanceId: string) => {
    const instance = state.instances.find((i) => i.region === region && i.instanceId === instanceId);
    if (!instance || clock.now() < instance.launchedAt + faults.instanceInvisibleMs)
      throw new CloudError("InvalidInstanceID.NotFound", `The instance ID '${instanceId}' does not exist`);
    return instance;
  };
  const toRecord = (image: FakeImage): ImageRecord => ({
    imageId: image.imageId,
    name: image.name,
    state: imageState(ctx, image),
    ownerId: image.ownerId,
    creationDate: new Date(image.createdAt).toISOString(),
    public: image.public,
    tags: { ...image.tags },
    snapshotIds: [...image.snapshotIds],
    launchAccounts: [...image.launchAccounts],
    ...(image.deprecationTime ? { deprecationTime: image.deprecationTime } : {}),
    ...(image.fails && imageState(ctx, image) === "failed" ? { stateReason: "Copy failed: internal error" } : {}),
    ...(image.imdsV2 ? { imdsSupport: "v2.0" as const } : {}),
  });
  const addImage = (
    region: string,
    fields: Pick<FakeImage, "name" | "tags" | "availableAt" | "fails" | "encrypted" | "kmsKeyId" | "provisioned" | "arch" | "ssmAgent" | "sealed">,
  ) => {
    const snapshotId = ctx.nextId("snap");
    state.snapshots.push({
      snapshotId,
      region,
      tags: { ...fields.tags },
      encrypted: fields.encrypted,
      ...(fields.kmsKeyId ? { kmsKeyId: fields.kmsKeyId } : {}),
      accounts: [],
      deleted: false,
    });
    const image: FakeImage = {
      ...fields,
      imageId: ctx.nextId("ami"),
      region,
      ownerId: state.accountId,
      createdAt: clock.now(),
      deregistered: false,
      public: false,
      launchAccounts: [],
      snapshotIds: [snapshotId],
      imdsV2: false,
    };
    state.images.push(image);
    return image.imageId;
  };
  return {
    async describeRegions() {
      ctx.enter("DescribeRegions", "us-east-1");
      return state.regions.map((name) => ({
        name,
        optInStatus: faults.disabledRegions.includes(name)
          ? "not-opted-in"
          : name.startsWith("af-") || name.startsWith("ap-east")
            ? "opted-in"
            : "opt-in-not-required",
      }));
    },
    async describeImages(region, query) {
      ctx.enter("DescribeImages", region);
      const pattern = query.name
        ? new RegExp(
            `^${query.name
              .split("*")
              .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
              .join(".*")}$`,
          )
        : undefined;
      if (query.imageIds) for (const id of query.imageIds) findImage(region, id);
      return state.images
        .filter((i) => i.region === region && !i.deregistered)
        .filter((i) => !query.imageIds || query.imageIds.includes(i.imageId))
        .filter((i) => !query.owners || query.owners.some((o) => (o === "self" ? state.accountId : o) === i.ownerId))
        .filter((i) => !pattern || pattern.test(i.name))
        .filter((i) => matchesTag(i.tags, query.tag) && (!query.publicOnly || i.public))
        .map(toRecord);
    },
    async getImageBlockPublicAccessState(region) {
      ctx.enter("GetImageBlockPublicAccessState", region);
      return accountSettingsIn(ctx, region).imageBlockPublicAccess;
    },
    async getEbsEncryptionDefaults(region) {
      ctx.enter("GetEbsEncryptionByDefault", region);
      const settings = accountSettingsIn(ctx, region);
      return { enabled: settings.ebsEncryptionByDefault, kmsKeyId: settings.ebsDefaultKmsKeyId };
    },
    async copyImage(region, input) {
      ctx.enter("CopyImage", region);
      return withClientToken(ctx, `${region}:CopyImage`, input.clientToken, input, () => {
        const source = findImage(input.sourceRegion, input.sourceImageId);
        if (imageState(ctx, source) !== "available") throw new CloudError("IncorrectState", `Image ${source.imageId} is not available`);
        if (state.images.some((i) => i.region === region && i.name === input.name && !i.deregistered))
          throw new CloudError("InvalidAMIName.Duplicate", `AMI name ${input.name} is already in use`);
        const inFlight = state.images.filter((i) => i.region === region && i.ownerId === state.accountId && imageState(ctx, i) === "pending").length;
        if (faults.concurrentCopyLimit !== undefined && inFlight >= faults.concurrentCopyLimit) {
          throw new CloudError(
            "ResourceLimitExceeded",
            `You have reached the maximum number of concurrent AMI copies (${faults.concurrentCopyLimit}) in ${region}. Try again after an in-progress copy completes.`,
          );
        }
        const copyMs = timings.copyMsByRegion[region] ?? timings.copyMs;
        return addImage(region, {
          name: input.name,
          tags: input.tags,
          availableAt: clock.now() + copyMs,
          fails: faults.copyFailsIn.includes(region),
          ...encryptionIn(ctx, region, source.encrypted),
          provisioned: source.provisioned,
          arch: source.arch,
          ssmAgent: source.ssmAgent,
          sealed: source.sealed,
        });
      });
    },
    async createImage(region, input) {
      ctx.enter("CreateImage", region);
      const instance = findInstance(region, input.instanceId);
      if (state.images.some((i) => i.region === region && i.name === input.name && !i.deregistered))
        throw new CloudError("InvalidAMIName.Duplicate", `AMI name ${input.name} is already in use`);
      if (instanceState(ctx, instance) !== "stopped") throw new CloudError("IncorrectState", `Instance ${input.instanceId} is not stopped`);
      const base = state.images.find((i) => i.imageId === instance.imageId);
      // An instance with an agent registered and left its state on the disk, unless the seal armed by provisioning ran at its stop.
      const ssmAgent = instanceHasSsmAgent(ctx, instance);
      const sealed = ssmAgent ? Boolean(instance.sealArmed) : (base?.sealed ?? true);
      return addImage(region, {
        name: input.name,
        tags: input.tags,
        availableAt: clock.now() + timings.createImageMs,
        fails: false,
        encrypted: Boolean(instance.encrypted || base?.encrypted),
        ...(instance.kmsKeyId ? { kmsKeyId: instance.kmsKeyId } : {}),
        provisioned: instance.provisioned,
        arch: base?.arch ?? "amd64",
        ssmAgent,
        sealed,
      });
    },
    async requireImdsV2(region, imageId) {
      ctx.enter("ModifyImageAttribute", region);
      findImage(region, imageId).imdsV2 = true;
    },
    async tagResource(region, resourceId, tags) {
      ctx.enter("CreateTags", region);
      const target = resourceId.startsWith("ami-") ? findImage(region, resourceId) : findInstance(region, resourceId);
      Object.assign(target.tags, tags);
    },
    async shareImage(region, imageId, share) {
      ctx.enter("ModifyImageAttribute", region);
      const image = findImage(region, imageId);
      const snapshots = state.snapshots.filter((s) => image.snapshotIds.includes(s.snapshotId));
      const encrypted = snapshots.some((s) => s.encrypted);
      if ("accounts" in share && snapshots.some((s) => s.encrypted && isAwsManagedEbsKey(s.kmsKeyId)))
        throw new CloudError("InvalidParameter", "Snapshots encrypted with the AWS managed key cannot be shared");
      if ("accounts" in share) return void (image.launchAccounts = [...new Set([...image.launchAccounts, ...share.accounts])]);
      if (image.public) return;
      if (accountSettingsIn(ctx, region).imageBlockPublicAccess === "block-new-sharing")
        throw new CloudError("OperationNotPermitted", "Image block public access is enabled for this region");
      if (encrypted) throw new CloudError("InvalidParameter", "Images with encrypted snapshots cannot be made public");
      const publicCount = state.images.filter((i) => i.region === region && i.public && !i.deregistered && i.ownerId === state.accountId).length;
      if (publicCount >= publicQuota) throw new CloudError("ResourceLimitExceeded", `You have reached your quota of ${publicQuota} public AMIs in ${region}`);
      image.public = true;
    },
    async shareSnapshot(region, snapshotId, accounts) {
      ctx.enter("ModifySnapshotAttribute", region);
      const snapshot = state.snapshots.find((s) => s.region === region && s.snapshotId === snapshotId && !s.deleted);
      if (!snapshot) throw new CloudError("InvalidSnapshot.NotFound", `The snapshot '${snapshotId}' does not exist`);
      snapshot.accounts = [...new Set([...snapshot.accounts, ...accounts])];
    },
    async deprecateImage(region, imageId, at) {
      ctx.enter("EnableImageDeprecation", region);
      const image = findImage(region, imageId);
      const created = new Date(image.createdAt);
      const limit = image.public
        ? created.setUTCFullYear(created.getUTCFullYear() + 2)
        : new Date(clock.now()).setUTCFullYear(new Date(clock.now()).getUTCFullYear() + 10);
      if (at.getTime() < clock.now()) throw new CloudError("InvalidParameterValue", "You can't specify a deprecation date in the past");
      if (at.getTime() > limit)
        throw new CloudError(
          "InvalidParameterValue",
          image.public
            ? "The deprecation date of a public AMI can be at most 2 years after its creation date"
            : "The deprecation date can be at most 10 years from now",
        );
      image.deprecationTime = at.toISOString();
    },
    async deregisterImage(region, imageId) {
      ctx.enter("DeregisterImage", region);
      findImage(region, imageId).deregistered = true;
    },
    async deleteSnapshot(region, snapshotId) {
      ctx.enter("DeleteSnapshot", region);
      const snapshot = state.snapshots.find((s) => s.region === region && s.snapshotId === snapshotId && !s.deleted);
      if (!snapshot) throw new CloudError("InvalidSnapshot.NotFound", `The snapshot '${snapshotId}' does not exist`);
      if (state.images.some((i) => !i.deregistered && i.snapshotIds.includes(snapshotId)))
        throw new CloudError("InvalidSnapshot.InUse", `The snapshot ${snapshotId} is currently in use by an AMI`);
      snapshot.deleted = true;
    },
    async registerImage(region, input) {
      ctx.enter("RegisterImage", region);
      const snapshot = state.snapshots.find((s) => s.region === region && s.snapshotId === input.snapshotId && !s.deleted);
      if (!snapshot) throw new CloudError("InvalidSnapshot.NotFound", `The snapshot '${input.snapshotId}' does not exist`);
      const { state: snapshotNow } = snapshotState(ctx, snapshot);
      if (snapshotNow !== "completed") throw new CloudError("IncorrectState", `Snapshot ${input.snapshotId} is ${snapshotNow}, not completed`);
      if (snapshot.direct && input.volumeSizeGiB < snapshot.direct.volumeSizeGiB)
        throw new CloudError(
          "InvalidBlockDeviceMapping",
          `Volume of size ${input.volumeSizeGiB}GB is smaller than snapshot '${input.snapshotId}', expect size >= ${snapshot.direct.volumeSizeGiB}GB`,
        );
      if (state.images.some((i) => i.region === region && i.name === input.name && !i.deregistered))
        throw new CloudError("InvalidAMIName.Duplicate", `AMI name ${input.name} is already in use`);
      const image: FakeImage = {
        imageId: ctx.nextId("ami"),
        region,
        name: input.name,
        ownerId: state.accountId,
        createdAt: clock.now(),
        availableAt: clock.now() + timings.registerImageMs,
        fails: false,
        deregistered: false,
        public: false,
        launchAccounts: [],
        tags: { ...input.tags },
        snapshotIds: [input.snapshotId],
        imdsV2: true,
        encrypted: snapshot.encrypted,
        ...(snapshot.kmsKeyId ? { kmsKeyId: snapshot.kmsKeyId } : {}),
        // Whether instances of it serve what the smoke probes ask (a test turns it off to fail the gate).
        provisioned: faults.registeredImagesServe ?? true,
        arch: input.architecture === "arm64" ? "arm64" : "amd64",
        ssmAgent: false,
        sealed: true,
        registered: {
          description: input.description,
          bootMode: input.bootMode,
          enaSupport: true,
          rootDeviceName: "/dev/xvda",
          volumeSizeGiB: input.volumeSizeGiB,
        },
      };
      state.images.push(image);
      return image.imageId;
    },
    async describeSnapshot(region, snapshotId) {
      ctx.enter("DescribeSnapshots", region);
      const s = state.snapshots.find((x) => x.region === region && x.snapshotId === snapshotId && !x.deleted);
      return s ? { snapshotId: s.snapshotId, tags: { ...s.tags }, ...snapshotState(ctx, s) } : undefined;
    },
    async describeSnapshots(region, tag) {
      ctx.enter("DescribeSnapshots", region);
      return state.snapshots
        .filter((s) => s.region === region && !s.deleted && matchesTag(s.tags, tag))
        .map((s) => ({ snapshotId: s.snapshotId, tags: { ...s.tags }, ...snapshotState(ctx, s) }));
    },
    async describeVolumes(region, tag) {
      ctx.enter("DescribeVolumes", region);
      return liveVolumes(ctx)
        .filter((v) => v.region === region && matchesTag(v.tags, tag))
        .map((v) => ({ volumeId: v.volumeId, state: v.instanceId ? ("in-use" as const) : ("available" as const), tags: { ...v.tags } }));
    },
    async deleteVolume(region, volumeId) {
      ctx.enter("DeleteVolume", region);
      const volume = liveVolumes(ctx).find((v) => v.region === region && v.volumeId === volumeId);
      if (!volume) throw new CloudError("InvalidVolume.NotFound", `The volume '${volumeId}' does not exist.`);
      if (volume.instanceId) throw new CloudError("VolumeInUse", `Volume ${volumeId} is currently attached to ${volume.instanceId}`);
      volume.deleted = true;
    },
    async describeSubnet(region, subnetId) {
      ctx.enter("DescribeSubnets", region);
      const subnet = state.subnets.find((s) => s.region === region && s.subnetId === subnetId);
      return subnet ? { subnetId, vpcId: subnet.vpcId, availabilityZone: subnet.availabilityZone, mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch } : undefined;
    },
    async findDefaultVpc(region) {
      ctx.enter("DescribeVpcs", region);
      return state.vpcs.find((v) => v.region === region && v.isDefault)?.vpcId;
    },
    async createSecurityGroup(region, input) {
      ctx.enter("CreateSecurityGroup", region);
      const vpcId = input.vpcId ?? defaultVpcOrFail(ctx, region);
      if (!state.vpcs.some((v) => v.region === region && v.vpcId === vpcId))
        throw new CloudError("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
      if (state.securityGroups.some((g) => g.region === region && g.vpcId === vpcId && g.name === input.name && !g.deleted))
        throw new CloudError("InvalidGroup.Duplicate", `The security group '${input.name}' already exists for VPC '${vpcId}'`);
      const groupId = ctx.nextId("sg");
      state.securityGroups.push({ groupId, region, name: input.name, vpcId, tags: { ...input.tags }, deleted: false });
      return groupId;
    },
    async authorizeIngress(region, groupId, rules) {
      ctx.enter("AuthorizeSecurityGroupIngress", region);
      const group = state.securityGroups.find((g) => g.region === region && g.groupId === groupId && !g.deleted);
      if (!group) throw new CloudError("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
      for (const rule of rules) {
        const known = (group.ingress ??= []).some(
          (r) => r.protocol === rule.protocol && r.from === rule.from && r.to === rule.to && rule.cidrs.every((c) => r.cidrs.includes(c)),
        );
        if (known)
          throw new CloudError(
            "InvalidPermission.Duplicate",
            `the specified rule "peer: ${rule.cidrs.join(",")}, ${rule.protocol.toUpperCase()}, from port: ${rule.from}, to port: ${rule.to}, ALLOW" already exists`,
          );
        group.ingress.push({ protocol: rule.protocol, from: rule.from, to: rule.to, cidrs: [...rule.cidrs] });
      }
    },
    async deleteSecurityGroup(region, groupId) {
      ctx.enter("DeleteSecurityGroup", region);
      const group = state.securityGroups.find((g) => g.region === region && g.groupId === groupId && !g.deleted);
      if (!group) throw new CloudError("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
      if (state.instances.some((i) => i.securityGroupId === groupId && instanceState(ctx, i) !== "terminated"))
        throw new CloudError("DependencyViolation", `resource ${groupId} has a dependent object`);
      group.deleted = true;
    },
    async describeSecurityGroups(region, tag) {
      ctx.enter("DescribeSecurityGroups", region);
      return state.securityGroups
        .filter((g) => g.region === region && !g.deleted && matchesTag(g.tags, tag))
        .map((g) => ({ groupId: g.groupId, tags: { ...g.tags } }));
    },
    async runInstance(region, input) {
      ctx.enter("RunInstances", region);
      return withClientToken(ctx, `${region}:RunInstances`, input.clientToken, input, () => {
        const image = findImage(region, input.imageId);
        const typeArch = instanceTypeArch[input.instanceType.split(".")[0]!];
        if (!typeArch) throw new CloudError("InvalidParameterValue", `Invalid value '${input.instanceType}' for InstanceType.`);
        if (typeArch !== image.arch) {
          throw new CloudError(
            "InvalidParameterValue",
            `The architecture '${ec2ArchName[typeArch]}' of the specified instance type does not match the architecture '${ec2ArchName[image.arch]}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
          );
        }
        const group = state.securityGroups.find((g) => g.region === region && g.groupId === input.securityGroupId && !g.deleted);
        if (!group) throw new CloudError("InvalidGroup.NotFound", `The security group '${input.securityGroupId}' does not exist`);
        const subnet = launchSubnet(ctx, region, input.subnetId, group.vpcId, group.groupId);
        if (
          input.instanceProfileName &&
          !state.profiles.some(
            (p) => p.name === input.instanceProfileName && !p.deleted && p.roleName && clock.now() >= p.createdAt + faults.profileInvisibleMs,
          )
        )
          throw new CloudError(
            "InvalidParameterValue",
            `Value (${input.instanceProfileName}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
          );
        const source = state.images.find((i) => i.imageId === input.imageId);
        const instanceId = ctx.nextId("i");
        state.instances.push({
          instanceId,
          region,
          imageId: input.imageId,
          tags: { ...input.tags },
          launchedAt: clock.now(),
          profile: input.instanceProfileName ?? "",
          securityGroupId: input.securityGroupId,
          subnetId: subnet.subnetId,
          ...(subnet.mapPublicIpOnLaunch ? { publicIp: `203.0.113.${(state.instances.length % 250) + 1}` } : {}),
          imdsV2Required: true,
          provisioned: source?.provisioned ?? false,
          ...encryptionIn(ctx, region, input.encrypted),
          ...(input.userData === undefined ? {} : { userData: input.userData }),
        });
        state.volumes.push({ volumeId: ctx.nextId("vol"), region, instanceId, tags: { ...input.tags }, deleted: false });
        return instanceId;
      });
    },
    async describeInstances(region, query) {
      ctx.enter("DescribeInstances", region);
      if (query.instanceIds) for (const id of query.instanceIds) findInstance(region, id);
      return state.instances
        .filter(
          (i) =>
            i.region === region && (!query.instanceIds || query.instanceIds.includes(i.instanceId)) && (!query.imageIds || query.imageIds.includes(i.imageId)),
        )
        .filter((i) => matchesTag(i.tags, query.tag) && (query.instanceIds || clock.now() >= i.launchedAt + faults.instanceInvisibleMs))
        .map((i) => {
          const now = instanceState(ctx, i);
          return {
            instanceId: i.instanceId,
            imageId: i.imageId,
            state: now,
            tags: { ...i.tags },
            ...(i.publicIp && now === "running" ? { publicIp: i.publicIp } : {}),
          };
        });
    },
    async stopInstance(region, instanceId) {
      ctx.enter("StopInstances", region);
      const instance = findInstance(region, instanceId);
      instance.stopAt ??= clock.now();
    },
    async terminateInstance(region, instanceId) {
      ctx.enter("TerminateInstances", region);
      const instance = findInstance(region, instanceId);
      instance.terminateAt ??= clock.now();
    },
    async listLaunchTemplateImageIds(region) {
      ctx.enter("DescribeLaunchTemplateVersions", region);
      return [...(state.launchTemplateImageIds.get(region) ?? [])];
    },
  };
}
