import {
  AuthorizeSecurityGroupIngressCommand,
  CopyImageCommand,
  CreateImageCommand,
  CreateTagsCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
  EnableImageDeprecationCommand,
  GetEbsDefaultKmsKeyIdCommand,
  GetEbsEncryptionByDefaultCommand,
  GetImageBlockPublicAccessStateCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Filter,
  type Image,
  type Snapshot,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { CloudError, type Ec2Port, type ImageRecord, type InstanceRecord, type SnapshotRecord, type VolumeRecord } from "../ports.ts";
import { clientConfig, fromTagList, mapSdkError, perRegion, toTagList, type SdkOptions } from "./client-options.ts";

// The EC2 port over real SDK v3 clients, one per region.
export function createEc2Adapter(options: SdkOptions): Ec2Port {
  const ec2 = perRegion((region) => new EC2Client(clientConfig(options, region)));
  const send = <T>(region: string, command: unknown) => mapSdkError(() => ec2(region).send(command as never) as Promise<T>);
  const tagFilter = (tag?: { key: string; value?: string }): Filter[] =>
    tag ? [tag.value === undefined ? { Name: "tag-key", Values: [tag.key] } : { Name: `tag:${tag.key}`, Values: [tag.value] }] : [];
  return {
    async describeRegions() {
      const out = await send<{ Regions?: { RegionName?: string; OptInStatus?: string }[] }>(options.region, new DescribeRegionsCommand({ AllRegions: true }));
      return (out.Regions ?? []).map((r) => ({ name: r.RegionName ?? "", optInStatus: r.OptInStatus ?? "opt-in-not-required" }));
    },
    async describeImages(region, query) {
      const filters: Filter[] = [...tagFilter(query.tag)];
      if (query.name) filters.push({ Name: "name", Values: [query.name] });
      if (query.publicOnly) filters.push({ Name: "is-public", Values: ["true"] });
      const out = await send<{ Images?: Image[] }>(
        region,
        new DescribeImagesCommand({ ImageIds: query.imageIds, Owners: query.owners, Filters: filters.length ? filters : undefined }),
      );
      return (out.Images ?? []).map(toImageRecord);
    },
    async getImageBlockPublicAccessState(region) {
      const out = await send<{ ImageBlockPublicAccessState?: string }>(region, new GetImageBlockPublicAccessStateCommand({}));
      return out.ImageBlockPublicAccessState === "block-new-sharing" ? "block-new-sharing" : "unblocked";
    },
    async getEbsEncryptionDefaults(region) {
      const [byDefault, key] = await Promise.all([
        send<{ EbsEncryptionByDefault?: boolean }>(region, new GetEbsEncryptionByDefaultCommand({})),
        send<{ KmsKeyId?: string }>(region, new GetEbsDefaultKmsKeyIdCommand({})),
      ]);
      return { enabled: byDefault.EbsEncryptionByDefault === true, kmsKeyId: key.KmsKeyId ?? "alias/aws/ebs" };
    },
    async copyImage(region, input) {
      const out = await send<{ ImageId?: string }>(
        region,
        new CopyImageCommand({
          SourceRegion: input.sourceRegion,
          SourceImageId: input.sourceImageId,
          Name: input.name,
          Description: input.description,
          ClientToken: input.clientToken,
          TagSpecifications: tagImageAndSnapshots(input.tags),
        }),
      );
      return out.ImageId ?? "";
    },
    async createImage(region, input) {
      const out = await send<{ ImageId?: string }>(
        region,
        new CreateImageCommand({
          InstanceId: input.instanceId,
          Name: input.name,
          Description: input.description,
          TagSpecifications: tagImageAndSnapshots(input.tags),
        }),
      );
      return out.ImageId ?? "";
    },
    async requireImdsV2(region, imageId) {
      await send(region, new ModifyImageAttributeCommand({ ImageId: imageId, ImdsSupport: { Value: "v2.0" } }));
    },
    async tagResource(region, resourceId, tags) {
      await send(region, new CreateTagsCommand({ Resources: [resourceId], Tags: toTagList(tags) }));
    },
    async shareImage(region, imageId, share) {
      const add = "public" in share ? [{ Group: "all" as const }] : share.accounts.map((UserId) => ({ UserId }));
      await send(region, new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: add } }));
    },
    async shareSnapshot(region, snapshotId, accounts) {
      await send(
        region,
        new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: "createVolumePermission", OperationType: "add", UserIds: accounts }),
      );
    },
    async deprecateImage(region, imageId, at) {
      await send(region, new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: at }));
    },
    async deregisterImage(region, imageId) {
      await send(region, new DeregisterImageCommand({ ImageId: imageId }));
    },
    async deleteSnapshot(region, snapshotId) {
      await send(region, new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    },
    async registerImage(region, input) {
      const out = await send<{ ImageId?: string }>(
        region,
        new RegisterImageCommand({
          Name: input.name,
          Description: input.description,
          Architecture: input.architecture,
          RootDeviceName: "/dev/xvda",
          BlockDeviceMappings: [
            { DeviceName: "/dev/xvda", Ebs: { SnapshotId: input.snapshotId, VolumeSize: input.volumeSizeGiB, VolumeType: "gp3", DeleteOnTermination: true } },
          ],
          VirtualizationType: "hvm",
          EnaSupport: true,
          BootMode: input.bootMode,
          ImdsSupport: "v2.0",
          TagSpecifications: [{ ResourceType: "image", Tags: toTagList(input.tags) }],
        }),
      );
      return out.ImageId ?? "";
    },
    async describeSnapshot(region, snapshotId) {
      const out = await send<{ Snapshots?: Snapshot[] }>(region, new DescribeSnapshotsCommand({ OwnerIds: ["self"], SnapshotIds: [snapshotId] })).catch(
        (error: unknown) => (error instanceof CloudError && error.code === "InvalidSnapshot.NotFound" ? { Snapshots: [] } : Promise.reject(error)),
      );
      const found = out.Snapshots?.[0];
      return found ? toSnapshotRecord(found) : undefined;
    },
    async describeSnapshots(region, tag) {
      const out = await send<{ Snapshots?: Snapshot[] }>(region, new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: tagFilter(tag) }));
      return (out.Snapshots ?? []).map(toSnapshotRecord);
    },
    async describeVolumes(region, tag) {
      const out = await send<{ Volumes?: { VolumeId?: string; State?: string; Tags?: { Key?: string; Value?: string }[] }[] }>(
        region,
        new DescribeVolumesCommand({ Filters: tagFilter(tag) }),
      );
      return (out.Volumes ?? []).map((v) => ({ volumeId: v.VolumeId ?? "", state: (v.State ?? "in-use") as VolumeRecord["state"], tags: fromTagList(v.Tags) }));
    },
    async deleteVolume(region, volumeId) {
      await send(region, new DeleteVolumeCommand({ VolumeId: volumeId }));
    },
    async describeSubnet(region, subnetId) {
      try {
        const out = await send<{ Subnets?: { SubnetId?: string; VpcId?: string; AvailabilityZone?: string; MapPublicIpOnLaunch?: boolean }[] }>(
          region,
          new DescribeSubnetsCommand({ SubnetIds: [subnetId] }),
        );
        const subnet = out.Subnets?.find((s) => s.SubnetId === subnetId);
        return subnet
          ? { subnetId, vpcId: subnet.VpcId ?? "", availabilityZone: subnet.AvailabilityZone ?? "", mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch ?? false }
          : undefined;
      } catch (error) {
        if (error instanceof CloudError && error.code === "InvalidSubnetID.NotFound") return undefined;
        throw error;
      }
    },
    async findDefaultVpc(region) {
      const out = await send<{ Vpcs?: { VpcId?: string; IsDefault?: boolean }[] }>(
        region,
        new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
      );
      return out.Vpcs?.find((v) => v.IsDefault !== false)?.VpcId;
    },
    async createSecurityGroup(region, input) {
      const out = await send<{ GroupId?: string }>(
        region,
        new CreateSecurityGroupCommand({
          GroupName: input.name,
          Description: input.description,
          ...(input.vpcId ? { VpcId: input.vpcId } : {}),
          TagSpecifications: [{ ResourceType: "security-group", Tags: toTagList(input.tags) }],
        }),
      );
      return out.GroupId ?? "";
    },
    async authorizeIngress(region, groupId, rules) {
      await send(
        region,
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: rules.map((r) => ({
            IpProtocol: r.protocol,
            FromPort: r.from,
            ToPort: r.to,
            IpRanges: r.cidrs.filter((c) => !c.includes(":")).map((CidrIp) => ({ CidrIp })),
            Ipv6Ranges: r.cidrs.filter((c) => c.includes(":")).map((CidrIpv6) => ({ CidrIpv6 })),
          })),
        }),
      );
    },
    async deleteSecurityGroup(region, groupId) {
      await send(region, new DeleteSecurityGroupCommand({ GroupId: groupId }));
    },
    async describeSecurityGroups(region, tag) {
      const out = await send<{ SecurityGroups?: { GroupId?: string; Tags?: { Key?: string; Value?: string }[] }[] }>(
        region,
        new DescribeSecurityGroupsCommand({ Filters: tagFilter(tag) }),
      );
      return (out.SecurityGroups ?? []).map((g) => ({ groupId: g.GroupId ?? "", tags: fromTagList(g.Tags) }));
    },
    async runInstance(region, input) {
      const tags = toTagList(input.tags);
      const out = await send<{ Instances?: { InstanceId?: string }[] }>(
        region,
        new RunInstancesCommand({
          ImageId: input.imageId,
          InstanceType: input.instanceType as _InstanceType,
          MinCount: 1,
          MaxCount: 1,
          ClientToken: input.clientToken,
          ...(input.instanceProfileName ? { IamInstanceProfile: { Name: input.instanceProfileName } } : {}),
          SecurityGroupIds: [input.securityGroupId],
          ...(input.subnetId ? { SubnetId: input.subnetId } : {}),
          MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [
            { DeviceName: "/dev/xvda", Ebs: { VolumeSize: input.diskSizeGiB, VolumeType: "gp3", Encrypted: input.encrypted, DeleteOnTermination: true } },
          ],
          InstanceInitiatedShutdownBehavior: "stop",
          ...(input.userData === undefined ? {} : { UserData: Buffer.from(input.userData, "utf8").toString("base64") }),
          TagSpecifications: [
            { ResourceType: "instance", Tags: tags },
            { ResourceType: "volume", Tags: tags },
          ],
        }),
      );
      return out.Instances?.[0]?.InstanceId ?? "";
    },
    async describeInstances(region, query) {
      const filters: Filter[] = [...tagFilter(query.tag)];
      if (query.imageIds) filters.push({ Name: "image-id", Values: query.imageIds });
      const out = await send<{
        Reservations?: {
          Instances?: {
            InstanceId?: string;
            ImageId?: string;
            State?: { Name?: string };
            PublicIpAddress?: string;
            Tags?: { Key?: string; Value?: string }[];
          }[];
        }[];
      }>(region, new DescribeInstancesCommand({ InstanceIds: query.instanceIds, Filters: filters.length ? filters : undefined }));
      return (out.Reservations ?? [])
        .flatMap((r) => r.Instances ?? [])
        .map((i): InstanceRecord => ({
          instanceId: i.InstanceId ?? "",
          imageId: i.ImageId ?? "",
          state: (i.State?.Name ?? "pending") as InstanceRecord["state"],
          tags: fromTagList(i.Tags),
          ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
        }));
    },
    async stopInstance(region, instanceId) {
      await send(region, new StopInstancesCommand({ InstanceIds: [instanceId] }));
    },
    async terminateInstance(region, instanceId) {
      await send(region, new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    },
    async listLaunchTemplateImageIds(region) {
      const templates = await send<{ LaunchTemplates?: { LaunchTemplateId?: string }[] }>(region, new DescribeLaunchTemplatesCommand({}));
      const ids: string[] = [];
      for (const t of templates.LaunchTemplates ?? []) {
        const versions = await send<{ LaunchTemplateVersions?: { LaunchTemplateData?: { ImageId?: string } }[] }>(
          region,
          new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: t.LaunchTemplateId }),
        );
        for (const v of versions.LaunchTemplateVersions ?? []) if (v.LaunchTemplateData?.ImageId) ids.push(v.LaunchTemplateData.ImageId);
      }
      return ids;
    },
  };
}

function toSnapshotRecord(s: Snapshot): SnapshotRecord {
  const state = s.State === "pending" || s.State === "error" ? s.State : "completed";
  return { snapshotId: s.SnapshotId ?? "", tags: fromTagList(s.Tags), state, ...(s.StateMessage ? { stateMessage: s.StateMessage } : {}) };
}

function toImageRecord(image: Image): ImageRecord {
  return {
    imageId: image.ImageId ?? "",
    name: image.Name ?? "",
    state: (image.State ?? "pending") as ImageRecord["state"],
    ownerId: image.OwnerId ?? "",
    creationDate: image.CreationDate ?? "",
    public: image.Public ?? false,
    tags: fromTagList(image.Tags),
    launchAccounts: [],
    snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
    ...(image.DeprecationTime ? { deprecationTime: image.DeprecationTime } : {}),
    ...(image.StateReason?.Message ? { stateReason: image.StateReason.Message } : {}),
    ...(image.ImdsSupport === "v2.0" ? { imdsSupport: "v2.0" as const } : {}),
  };
}

// An image and its snapshots carry the same tags from the moment CopyImage or CreateImage makes them.
function tagImageAndSnapshots(tags: Record<string, string>): { ResourceType: "image" | "snapshot"; Tags: { Key: string; Value: string }[] }[] {
  return [
    { ResourceType: "image", Tags: toTagList(tags) },
    { ResourceType: "snapshot", Tags: toTagList(tags) },
  ];
}
