// EC2 Query actions of the fake endpoint: form in, XML out, mapped onto the fake cloud's EC2 port.
import { CloudError, type InstanceRecord, type SnapshotRecord } from "../../../cloud/ports.ts";
import type { FakeCloud } from "./create-fake-cloud.ts";
import { ec2Response, imageXml, listOf, tagSetXml, xmlEscape } from "./protocol-codecs.ts";

type Form = Record<string, unknown>;

// The tags of one resource type in a `TagSpecification.N` list.
function tagsFor(input: Form, resourceType: string): Record<string, string> {
  const spec = listOf<Form>(input.TagSpecification).find((t) => t.ResourceType === resourceType);
  return Object.fromEntries(listOf<{ Key: string; Value: string }>(spec?.Tag).map((t) => [t.Key, t.Value]));
}

// The filters of a Describe call: `tag:K` / `tag-key` → tag, other names → their values.
function readFilters(input: Form) {
  const filters = listOf<{ Name: string; Value: unknown }>(input.Filter);
  const values = (name: string) => listOf<string>(filters.find((f) => f.Name === name)?.Value);
  const tagFilter = filters.find((f) => f.Name.startsWith("tag:"));
  const tag = tagFilter
    ? { key: tagFilter.Name.slice(4), value: listOf<string>(tagFilter.Value)[0]! }
    : values("tag-key")[0]
      ? { key: values("tag-key")[0]! }
      : undefined;
  return { values, tag };
}

const snapshotXml = (cloud: FakeCloud, s: SnapshotRecord) =>
  `<item><snapshotId>${s.snapshotId}</snapshotId><status>${s.state}</status>${s.stateMessage ? `<statusMessage>${xmlEscape(s.stateMessage)}</statusMessage>` : ""}<ownerId>${cloud.state.accountId}</ownerId>${tagSetXml(s.tags)}</item>`;

const instanceXml = (i: InstanceRecord) =>
  `<item><instanceId>${i.instanceId}</instanceId><imageId>${i.imageId}</imageId><instanceState><code>0</code><name>${i.state}</name></instanceState>${i.publicIp ? `<ipAddress>${i.publicIp}</ipAddress>` : ""}${tagSetXml(i.tags)}</item>`;

// RunInstances' UserData as EC2 takes it: base64 on the wire, at most 16 KB once decoded.
function decodeUserData(encoded: string): string {
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded))
    throw new CloudError("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
  const decoded = Buffer.from(encoded, "base64");
  if (decoded.length > 16 * 1024) throw new CloudError("InvalidParameterValue", "User data is limited to 16384 bytes");
  return decoded.toString("utf8");
}

// Answers one EC2 action, or undefined when the endpoint does not implement it.
export async function handleEc2(cloud: FakeCloud, action: string, region: string, input: Form): Promise<string | undefined> {
  const { ec2 } = cloud.ports;
  if (action === "DescribeRegions") {
    const regions = await ec2.describeRegions();
    const items = regions.map(
      (r) =>
        `<item><regionName>${r.name}</regionName><regionEndpoint>ec2.${r.name}.amazonaws.com</regionEndpoint><optInStatus>${r.optInStatus}</optInStatus></item>`,
    );
    return ec2Response(action, `<regionInfo>${items.join("")}</regionInfo>`);
  }
  if (action === "GetImageBlockPublicAccessState") {
    return ec2Response(action, `<imageBlockPublicAccessState>${await ec2.getImageBlockPublicAccessState(region)}</imageBlockPublicAccessState>`);
  }
  if (action === "GetEbsEncryptionByDefault" || action === "GetEbsDefaultKmsKeyId") {
    const { enabled, kmsKeyId } = await ec2.getEbsEncryptionDefaults(region);
    return ec2Response(
      action,
      action === "GetEbsEncryptionByDefault" ? `<ebsEncryptionByDefault>${enabled}</ebsEncryptionByDefault>` : `<kmsKeyId>${xmlEscape(kmsKeyId)}</kmsKeyId>`,
    );
  }
  if (action === "DescribeLaunchTemplates" || action === "DescribeLaunchTemplateVersions") {
    // One launch template per image id the test put in `launchTemplateImageIds`, with one version naming it.
    const imageIds = await ec2.listLaunchTemplateImageIds(region);
    const id = (i: number) => `lt-${String(i).padStart(17, "0")}`;
    if (action === "DescribeLaunchTemplates")
      return ec2Response(
        action,
        `<launchTemplates>${imageIds.map((_, i) => `<item><launchTemplateId>${id(i)}</launchTemplateId><launchTemplateName>t${i}</launchTemplateName></item>`).join("")}</launchTemplates>`,
      );
    const index = imageIds.findIndex((_, i) => id(i) === input.LaunchTemplateId);
    if (index < 0) throw new CloudError("InvalidLaunchTemplateId.NotFound", `The launch template ID '${input.LaunchTemplateId}' does not exist`);
    return ec2Response(
      action,
      `<launchTemplateVersionSet><item><launchTemplateId>${id(index)}</launchTemplateId><versionNumber>1</versionNumber><launchTemplateData><imageId>${imageIds[index]}</imageId></launchTemplateData></item></launchTemplateVersionSet>`,
    );
  }
  if (action === "CreateSecurityGroup") {
    const groupId = await ec2.createSecurityGroup(region, {
      name: String(input.GroupName),
      description: String(input.GroupDescription ?? ""),
      tags: tagsFor(input, "security-group"),
      ...(input.VpcId === undefined ? {} : { vpcId: String(input.VpcId) }),
    });
    return ec2Response(action, `<return>true</return><groupId>${groupId}</groupId>`);
  }
  if (action === "AuthorizeSecurityGroupIngress") {
    const rules = listOf<Form>(input.IpPermissions).map((p) => ({
      protocol: String(p.IpProtocol) as "udp" | "tcp",
      from: Number(p.FromPort),
      to: Number(p.ToPort),
      cidrs: [...listOf<Form>(p.IpRanges).map((r) => String(r.CidrIp)), ...listOf<Form>(p.Ipv6Ranges).map((r) => String(r.CidrIpv6))],
    }));
    await ec2.authorizeIngress(region, String(input.GroupId), rules);
    return ec2Response(action, "<return>true</return>");
  }
  if (action === "DescribeSecurityGroups") {
    const { tag } = readFilters(input);
    if (!tag) throw new CloudError("InvalidParameterValue", "the fake describes security groups by tag only");
    const groups = await ec2.describeSecurityGroups(region, tag);
    return ec2Response(
      action,
      `<securityGroupInfo>${groups.map((g) => `<item><groupId>${g.groupId}</groupId>${tagSetXml(g.tags)}</item>`).join("")}</securityGroupInfo>`,
    );
  }
  if (action === "DescribeSnapshots" && listOf<string>(input.SnapshotId).length > 0) {
    const ids = listOf<string>(input.SnapshotId);
    const found = await Promise.all(ids.map((id) => ec2.describeSnapshot(region, id)));
    const missing = ids.filter((_, i) => !found[i]);
    if (missing.length) throw new CloudError("InvalidSnapshot.NotFound", `The snapshot '${missing.join(", ")}' does not exist.`);
    return ec2Response(action, `<snapshotSet>${found.map((s) => snapshotXml(cloud, s!)).join("")}</snapshotSet>`);
  }
  if (action === "RegisterImage") {
    const mappings = listOf<Form>(input.BlockDeviceMapping);
    const root = mappings.find((m) => m.DeviceName === input.RootDeviceName);
    const ebs = root?.Ebs as Form | undefined;
    if (!ebs?.SnapshotId) throw new CloudError("InvalidParameterValue", "the fake registers images whose root device mapping names a snapshot");
    if (input.EnaSupport !== "true" || input.ImdsSupport !== "v2.0" || input.VirtualizationType !== "hvm")
      throw new CloudError("InvalidParameterValue", "the fake registers ENA, HVM, IMDSv2-only images");
    const imageId = await ec2.registerImage(region, {
      name: String(input.Name),
      description: String(input.Description ?? ""),
      snapshotId: String(ebs.SnapshotId),
      volumeSizeGiB: Number(ebs.VolumeSize),
      architecture: input.Architecture === "arm64" ? "arm64" : "x86_64",
      bootMode: String(input.BootMode) as "uefi-preferred",
      tags: tagsFor(input, "image"),
    });
    const image = cloud.state.images.find((i) => i.imageId === imageId)!;
    image.registered!.rootDeviceName = String(input.RootDeviceName);
    return ec2Response(action, `<imageId>${xmlEscape(imageId)}</imageId>`);
  }
  if (action === "DescribeSnapshots" || action === "DescribeVolumes") {
    const { tag } = readFilters(input);
    if (!tag) throw new CloudError("InvalidParameterValue", `the fake's ${action} filters by tag only`);
    if (action === "DescribeSnapshots") {
      if (listOf<string>(input.Owner)[0] !== "self")
        throw new CloudError("InvalidParameterValue", "the fake describes the account's own snapshots only (OwnerIds self)");
      const snapshots = await ec2.describeSnapshots(region, tag);
      return ec2Response(action, `<snapshotSet>${snapshots.map((s) => snapshotXml(cloud, s)).join("")}</snapshotSet>`);
    }
    const volumes = await ec2.describeVolumes(region, tag);
    return ec2Response(
      action,
      `<volumeSet>${volumes.map((v) => `<item><volumeId>${v.volumeId}</volumeId><status>${v.state}</status>${tagSetXml(v.tags)}</item>`).join("")}</volumeSet>`,
    );
  }
  if (action === "DescribeVpcs") {
    const { values } = readFilters(input);
    const isDefault = values("is-default")[0];
    const ids = listOf<string>(input.VpcId);
    cloud.context.enter("DescribeVpcs", region);
    const vpcs = cloud.state.vpcs.filter(
      (v) => v.region === region && (isDefault === undefined || String(v.isDefault) === isDefault) && (!ids.length || ids.includes(v.vpcId)),
    );
    const items = vpcs.map(
      (v) =>
        `<item><vpcId>${v.vpcId}</vpcId><state>available</state><cidrBlock>172.31.0.0/16</cidrBlock><isDefault>${v.isDefault}</isDefault><ownerId>${cloud.state.accountId}</ownerId></item>`,
    );
    return ec2Response(action, `<vpcSet>${items.join("")}</vpcSet>`);
  }
  if (action === "DescribeSubnets") {
    const ids = listOf<string>(input.SubnetId);
    if (ids.length !== 1) throw new CloudError("InvalidParameterValue", "the fake describes exactly one subnet by id");
    const subnet = await ec2.describeSubnet(region, ids[0]!);
    if (!subnet) throw new CloudError("InvalidSubnetID.NotFound", `The subnet ID '${ids[0]}' does not exist`);
    const item = `<item><subnetId>${subnet.subnetId}</subnetId><vpcId>${subnet.vpcId}</vpcId><state>available</state><availabilityZone>${subnet.availabilityZone}</availabilityZone><mapPublicIpOnLaunch>${subnet.mapPublicIpOnLaunch}</mapPublicIpOnLaunch><ownerId>${cloud.state.accountId}</ownerId></item>`;
    return ec2Response(action, `<subnetSet>${item}</subnetSet>`);
  }
  const ok = () => ec2Response(action, "<return>true</return>");
  if (action === "DeleteSecurityGroup") return (await ec2.deleteSecurityGroup(region, String(input.GroupId)), ok());
  if (action === "DeregisterImage") return (await ec2.deregisterImage(region, String(input.ImageId)), ok());
  if (action === "DeleteVolume") return (await ec2.deleteVolume(region, String(input.VolumeId)), ok());
  if (action === "DeleteSnapshot") return (await ec2.deleteSnapshot(region, String(input.SnapshotId)), ok());
  if (action === "EnableImageDeprecation") return (await ec2.deprecateImage(region, String(input.ImageId), new Date(String(input.DeprecateAt))), ok());
  if (action === "CreateTags") {
    const tags = Object.fromEntries(listOf<{ Key: string; Value: string }>(input.Tag).map((t) => [t.Key, t.Value]));
    for (const id of listOf<string>(input.ResourceId)) await ec2.tagResource(region, id, tags);
    return ok();
  }
  if (action === "ModifyImageAttribute") {
    const imageId = String(input.ImageId);
    if ((input.ImdsSupport as Form | undefined)?.Value === "v2.0") await ec2.requireImdsV2(region, imageId);
    const add = listOf<Form>((input.LaunchPermission as Form | undefined)?.Add);
    if (add.some((p) => p.Group === "all")) await ec2.shareImage(region, imageId, { public: true });
    const accounts = add.flatMap((p) => (p.UserId ? [String(p.UserId)] : []));
    if (accounts.length) await ec2.shareImage(region, imageId, { accounts });
    return ok();
  }
  if (action === "ModifySnapshotAttribute") {
    if (input.Attribute !== "createVolumePermission" || input.OperationType !== "add")
      throw new CloudError("InvalidParameterValue", "the fake adds createVolumePermission only");
    return (await ec2.shareSnapshot(region, String(input.SnapshotId), listOf<string>(input.UserId)), ok());
  }
  if (action === "CopyImage") {
    const imageId = await ec2.copyImage(region, {
      sourceRegion: String(input.SourceRegion),
      sourceImageId: String(input.SourceImageId),
      name: String(input.Name),
      description: String(input.Description ?? ""),
      clientToken: String(input.ClientToken ?? ""),
      tags: tagsFor(input, "image"),
    });
    return ec2Response(action, `<imageId>${imageId}</imageId>`);
  }
  if (action === "DescribeImages") {
    const { values, tag } = readFilters(input);
    const images = await ec2.describeImages(region, {
      ...(input.ImageId ? { imageIds: listOf<string>(input.ImageId) } : {}),
      ...(input.Owner ? { owners: listOf<string>(input.Owner) } : {}),
      ...(values("name")[0] ? { name: values("name")[0]! } : {}),
      ...(tag ? { tag } : {}),
      publicOnly: values("is-public")[0] === "true",
    });
    return ec2Response(action, `<imagesSet>${images.map(imageXml).join("")}</imagesSet>`);
  }
  if (action === "RunInstances") {
    if (input.MinCount !== "1" || input.MaxCount !== "1") throw new CloudError("InvalidParameterValue", "the fake launches exactly one instance");
    const ebs = (listOf<Form>(input.BlockDeviceMapping)[0]?.Ebs ?? {}) as Form;
    const instanceId = await ec2.runInstance(region, {
      imageId: String(input.ImageId),
      instanceType: String(input.InstanceType),
      instanceProfileName: String((input.IamInstanceProfile as Form | undefined)?.Name ?? ""),
      securityGroupId: listOf<string>(input.SecurityGroupId)[0] ?? "",
      diskSizeGiB: Number(ebs.VolumeSize ?? 8),
      encrypted: ebs.Encrypted === "true",
      clientToken: String(input.ClientToken ?? ""),
      tags: tagsFor(input, "instance"),
      ...(input.UserData === undefined ? {} : { userData: decodeUserData(String(input.UserData)) }),
      ...(input.SubnetId === undefined ? {} : { subnetId: String(input.SubnetId) }),
    });
    const instance = cloud.state.instances.find((i) => i.instanceId === instanceId)!;
    instance.imdsV2Required = (input.MetadataOptions as Form | undefined)?.HttpTokens === "required";
    const [record] = await ec2.describeInstances(region, { instanceIds: [instanceId] }).catch(() => [undefined]);
    const item = record ?? { instanceId, imageId: instance.imageId, state: "pending" as const, tags: instance.tags };
    return ec2Response(
      action,
      `<reservationId>r-${instanceId.slice(2)}</reservationId><ownerId>${cloud.state.accountId}</ownerId><groupSet/><instancesSet>${instanceXml(item)}</instancesSet>`,
    );
  }
  if (action === "DescribeInstances") {
    const { values, tag } = readFilters(input);
    const instances = await ec2.describeInstances(region, {
      ...(input.InstanceId ? { instanceIds: listOf<string>(input.InstanceId) } : {}),
      ...(values("image-id").length ? { imageIds: values("image-id") } : {}),
      ...(tag ? { tag } : {}),
    });
    const reservations = instances.map(
      (i) =>
        `<item><reservationId>r-${i.instanceId.slice(2)}</reservationId><ownerId>${cloud.state.accountId}</ownerId><instancesSet>${instanceXml(i)}</instancesSet></item>`,
    );
    return ec2Response(action, `<reservationSet>${reservations.join("")}</reservationSet>`);
  }
  if (action === "StopInstances" || action === "TerminateInstances") {
    const ids = listOf<string>(input.InstanceId);
    for (const id of ids) await (action === "StopInstances" ? ec2.stopInstance(region, id) : ec2.terminateInstance(region, id));
    const states = await ec2.describeInstances(region, { instanceIds: ids });
    const items = states.map(
      (i) =>
        `<item><instanceId>${i.instanceId}</instanceId><currentState><code>64</code><name>${i.state}</name></currentState><previousState><code>16</code><name>running</name></previousState></item>`,
    );
    return ec2Response(action, `<instancesSet>${items.join("")}</instancesSet>`);
  }
  if (action === "CreateImage") {
    const imageId = await ec2.createImage(region, {
      instanceId: String(input.InstanceId),
      name: String(input.Name),
      description: String(input.Description ?? ""),
      tags: tagsFor(input, "image"),
    });
    const snapshotTags = tagsFor(input, "snapshot");
    const image = cloud.state.images.find((i) => i.imageId === imageId)!;
    for (const snapshot of cloud.state.snapshots.filter((s) => image.snapshotIds.includes(s.snapshotId))) snapshot.tags = snapshotTags;
    return ec2Response(action, `<imageId>${xmlEscape(imageId)}</imageId>`);
  }
  return undefined;
}
