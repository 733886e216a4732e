// What IAM evaluates for each operation of the fake endpoint: the action(s), the resource ARN(s) and the context keys,
// one row per operation (`service:Action`, the service as SigV4 names it). An operation without a row is refused by the
// authorizer, so a new call the code makes needs a row here before any test with a policy can pass.
//
// Sources: the Service Authorization Reference (resource types and condition keys per action) and the services' IAM guides.
// Where AWS authorizes a resource that does not exist yet, the ARN ends in `*` as AWS writes it (RunInstances'
// `instance/*`). EC2 tag-on-create is a second authorization of ec2:CreateTags with ec2:CreateAction. Modelled assumptions
// (no AWS document says otherwise): AddRoleToInstanceProfile checks iam:PassRole with iam:PassedToService =
// ec2.amazonaws.com; IAM knows an entity's path from its creation (authorizer.ts, or the fake's state), so an entity it never
// saw has path `/`; a SecureString under a customer managed key (state.parameters' kmsKeyId) costs kms:Decrypt via SSM.
import type { FakeCloud } from "./create-fake-cloud.ts";
import { listOf } from "./protocol-codecs.ts";

/** One authorization: what a policy must allow for the operation to go ahead. */
export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** The resource's own policy, where the service evaluates one (a KMS key policy). */
  resourcePolicy?: unknown;
}

/** One request to the fake endpoint, as the rows read it. */
export interface FakeCall {
  cloud: FakeCloud;
  region: string;
  /** The parsed input: Query form (EC2, IAM), JSON (SSM, CloudWatch), or `{ bucket, key, tags }` for S3. */
  input: Record<string, unknown>;
  /** IAM entity paths by `role/NAME` and `instance-profile/NAME`, as IAM learnt them when they were created. */
  iamPaths: ReadonlyMap<string, string>;
}

type Row = (call: FakeCall) => IamRequest[];
type Tags = Record<string, string>;
const anywhere =
  (action: string): Row =>
  () => [{ action, resource: "*", context: {} }];

// `aws:RequestTag/K` and `aws:TagKeys` for tags given at creation; `aws:ResourceTag/K` (and the service's own alias) for tags a resource has.
const requestTags = (tags: Tags): Record<string, string | string[]> =>
  Object.keys(tags).length ? { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": Object.keys(tags) } : {};
const resourceTags = (tags: Tags | undefined, alias?: string): Record<string, string> =>
  Object.fromEntries(Object.entries(tags ?? {}).flatMap(([k, v]) => [[`aws:ResourceTag/${k}`, v], ...(alias ? [[`${alias}/${k}`, v]] : [])]));

// --- EC2 -----------------------------------------------------------------------------------------------------------------
const account = (call: FakeCall) => call.cloud.state.accountId;
const ec2Arn = (call: FakeCall, type: string, id: string) =>
  `arn:aws:ec2:${call.region}:${type === "image" || type === "snapshot" ? "" : account(call)}:${type}/${id}`;
const tagSpec = (input: Record<string, unknown>, type: string): Tags | undefined => {
  const spec = listOf<Record<string, unknown>>(input.TagSpecification).find((t) => t.ResourceType === type);
  return spec ? Object.fromEntries(listOf<{ Key: string; Value: string }>(spec.Tag).map((t) => [t.Key, t.Value])) : undefined;
};
// A new resource of the call, and the ec2:CreateTags that tagging it at creation needs.
const created = (call: FakeCall, action: string, type: string, createAction: string): IamRequest[] => {
  const tags = tagSpec(call.input, type);
  const resource = ec2Arn(call, type, "*");
  return [
    { action, resource, context: requestTags(tags ?? {}) },
    ...(tags ? [{ action: "ec2:CreateTags", resource, context: { ...requestTags(tags), "ec2:CreateAction": createAction } }] : []),
  ];
};
const imageOf = (call: FakeCall, id: string) => call.cloud.state.images.find((i) => i.region === call.region && i.imageId === id);
const existing = (call: FakeCall, id: string): { type: string; tags?: Tags; owner?: string } => {
  const { state } = call.cloud;
  if (id.startsWith("ami-")) return { type: "image", tags: imageOf(call, id)?.tags, owner: imageOf(call, id)?.ownerId ?? account(call) };
  if (id.startsWith("snap-")) return { type: "snapshot", tags: state.snapshots.find((s) => s.snapshotId === id)?.tags, owner: account(call) };
  if (id.startsWith("sg-")) return { type: "security-group", tags: state.securityGroups.find((g) => g.groupId === id)?.tags };
  if (id.startsWith("vol-")) return { type: "volume", tags: state.volumes.find((v) => v.volumeId === id)?.tags };
  if (id.startsWith("i-")) return { type: "instance", tags: state.instances.find((i) => i.instanceId === id)?.tags };
  if (id.startsWith("subnet-")) return { type: "subnet" };
  if (id.startsWith("vpc-")) return { type: "vpc" };
  throw new Error(`iam-requests: no resource type for ${id}`);
};
// An action on an existing EC2 resource (an image, snapshot, instance, ...), with its tags and, for EC2's own actions, the
// `ec2:ResourceTag` alias and the owner of images and snapshots (EBS direct actions such as ebs:PutSnapshotBlock get aws:ResourceTag only).
const on =
  (action: string, id: string, extra: Record<string, string | string[]> = {}) =>
  (call: FakeCall): IamRequest => {
    const r = existing(call, id);
    const ec2Keys = action.startsWith("ec2:")
      ? { ...resourceTags(r.tags, "ec2:ResourceTag"), ...(r.owner ? { "ec2:Owner": r.owner } : {}) }
      : resourceTags(r.tags);
    return { action, resource: ec2Arn(call, r.type, id), context: { ...ec2Keys, ...extra } };
  };
const onEach =
  (action: string, field: string): Row =>
  (call) =>
    listOf<string>(call.input[field]).map((id) => on(action, id)(call));
const onOne =
  (action: string, field: string): Row =>
  (call) => [on(action, String(call.input[field]))(call)];
const defaultVpc = (call: FakeCall) => call.cloud.state.vpcs.find((v) => v.region === call.region && v.isDefault)?.vpcId ?? "vpc-none";
const defaultSubnet = (call: FakeCall) => call.cloud.state.subnets.find((s) => s.region === call.region && s.defaultForAz)?.subnetId ?? "subnet-none";

// --- IAM -----------------------------------------------------------------------------------------------------------------
const knownPath = (call: FakeCall, type: "role" | "instance-profile", name: string) =>
  call.iamPaths.get(`${type}/${name}`) ??
  [...(type === "role" ? call.cloud.state.roles : call.cloud.state.profiles)].reverse().find((e) => e.name === name)?.path;
const iamArn = (call: FakeCall, type: "role" | "instance-profile", name: string, path?: string) =>
  `arn:aws:iam::${account(call)}:${type}${path ?? knownPath(call, type, name) ?? "/"}${name}`;
const iamTags = (input: Record<string, unknown>): Tags =>
  Object.fromEntries(listOf<{ Key: string; Value: string }>((input.Tags as Record<string, unknown> | undefined)?.member).map((t) => [t.Key, t.Value]));
const onRole =
  (action: string, extra: (input: Record<string, unknown>) => Record<string, string> = () => ({})): Row =>
  (call) => [{ action, resource: iamArn(call, "role", String(call.input.RoleName)), context: extra(call.input) }];
const onProfile =
  (action: string): Row =>
  (call) => [{ action, resource: iamArn(call, "instance-profile", String(call.input.InstanceProfileName)), context: {} }];
const passRole = (call: FakeCall, roleName: string): IamRequest => ({
  action: "iam:PassRole",
  resource: iamArn(call, "role", roleName),
  context: { "iam:PassedToService": "ec2.amazonaws.com" },
});

// --- S3, SSM -------------------------------------------------------------------------------------------------------------
const onBucket =
  (action: string): Row =>
  (call) => [{ action, resource: `arn:aws:s3:::${call.input.bucket}`, context: {} }];
const onObject =
  (action: string): Row =>
  (call) => [{ action, resource: `arn:aws:s3:::${call.input.bucket}/${call.input.key}`, context: {} }];
// The default policy of a customer managed KMS key: it lets the account's IAM policies grant its use (KMS needs the key policy too).
const defaultKeyPolicy = (call: FakeCall) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account(call)}:root` }, Action: "kms:*", Resource: "*" }],
});
const parameterArn = (call: FakeCall) => `arn:aws:ssm:${call.region}:${account(call)}:parameter/${String(call.input.Name).replace(/^\//, "")}`;

/** Every operation of the fake endpoint and what IAM evaluates for it (STS GetCallerIdentity needs no permission). */
export const iamRequestsByOperation: Record<string, Row> = {
  "sts:GetCallerIdentity": () => [],
  // EC2: reads without resource-level permissions
  ...Object.fromEntries(
    [
      "DescribeRegions",
      "DescribeImages",
      "DescribeInstances",
      "DescribeSecurityGroups",
      "DescribeVpcs",
      "DescribeSubnets",
      "DescribeLaunchTemplates",
      "DescribeLaunchTemplateVersions",
      "GetImageBlockPublicAccessState",
      "GetEbsEncryptionByDefault",
      "GetEbsDefaultKmsKeyId",
      "DescribeSnapshots",
      "DescribeVolumes",
    ].map((a) => [`ec2:${a}`, anywhere(`ec2:${a}`)]),
  ),
  "ec2:CreateSecurityGroup": (call) => [
    ...created(call, "ec2:CreateSecurityGroup", "security-group", "CreateSecurityGroup"),
    on("ec2:CreateSecurityGroup", String(call.input.VpcId ?? defaultVpc(call)))(call),
  ],
  "ec2:DeleteSecurityGroup": onOne("ec2:DeleteSecurityGroup", "GroupId"),
  "ec2:RunInstances": (call) => {
    const profile = call.cloud.state.profiles.find(
      (p) => p.name === (call.input.IamInstanceProfile as Record<string, unknown> | undefined)?.Name && !p.deleted,
    );
    const subnet = String(call.input.SubnetId ?? defaultSubnet(call));
    return [
      ...created(call, "ec2:RunInstances", "instance", "RunInstances"),
      ...created(call, "ec2:RunInstances", "volume", "RunInstances"),
      on("ec2:RunInstances", String(call.input.ImageId))(call),
      ...onEach("ec2:RunInstances", "SecurityGroupId")(call),
      on("ec2:RunInstances", subnet)(call),
      { action: "ec2:RunInstances", resource: ec2Arn(call, "network-interface", "*"), context: {} },
      ...(profile?.roleName ? [passRole(call, profile.roleName)] : []),
    ];
  },
  "ec2:StopInstances": onEach("ec2:StopInstances", "InstanceId"),
  "ec2:TerminateInstances": onEach("ec2:TerminateInstances", "InstanceId"),
  "ec2:CreateImage": (call) => [
    on("ec2:CreateImage", String(call.input.InstanceId))(call),
    ...created(call, "ec2:CreateImage", "image", "CreateImage"),
    ...created(call, "ec2:CreateImage", "snapshot", "CreateImage"),
  ],
  "ec2:RegisterImage": (call) => {
    const root = listOf<Record<string, unknown>>(call.input.BlockDeviceMapping).find((m) => m.DeviceName === call.input.RootDeviceName);
    const snapshotId = String((root?.Ebs as Record<string, unknown> | undefined)?.SnapshotId);
    return [...created(call, "ec2:RegisterImage", "image", "RegisterImage"), on("ec2:RegisterImage", snapshotId)(call)];
  },
  "ec2:AuthorizeSecurityGroupIngress": onOne("ec2:AuthorizeSecurityGroupIngress", "GroupId"),
  // EBS direct APIs: a new snapshot with its request tags, then writes to an existing one (aws:ResourceTag only).
  "ebs:StartSnapshot": (call) => {
    const tags = Object.fromEntries(((call.input.Tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
    return [{ action: "ebs:StartSnapshot", resource: ec2Arn(call, "snapshot", "*"), context: requestTags(tags) }];
  },
  "ebs:PutSnapshotBlock": onOne("ebs:PutSnapshotBlock", "SnapshotId"),
  "ebs:CompleteSnapshot": onOne("ebs:CompleteSnapshot", "SnapshotId"),
  "ec2:CopyImage": (call) => [...created(call, "ec2:CopyImage", "image", "CopyImage"), ...created(call, "ec2:CopyImage", "snapshot", "CopyImage")],
  "ec2:ModifyImageAttribute": onOne("ec2:ModifyImageAttribute", "ImageId"),
  "ec2:ModifySnapshotAttribute": onOne("ec2:ModifySnapshotAttribute", "SnapshotId"),
  "ec2:EnableImageDeprecation": onOne("ec2:EnableImageDeprecation", "ImageId"),
  "ec2:DeregisterImage": onOne("ec2:DeregisterImage", "ImageId"),
  "ec2:DeleteSnapshot": onOne("ec2:DeleteSnapshot", "SnapshotId"),
  "ec2:DeleteVolume": onOne("ec2:DeleteVolume", "VolumeId"),
  "ec2:CreateTags": (call) => {
    const tags = Object.fromEntries(listOf<{ Key: string; Value: string }>(call.input.Tag).map((t) => [t.Key, t.Value]));
    return listOf<string>(call.input.ResourceId).map((id) => on("ec2:CreateTags", id, requestTags(tags))(call));
  },
  // IAM (global)
  "iam:CreateRole": (call) => {
    const [name, path, tags] = [String(call.input.RoleName), String(call.input.Path ?? "/"), iamTags(call.input)];
    const resource = iamArn(call, "role", name, path);
    return [
      { action: "iam:CreateRole", resource, context: requestTags(tags) },
      ...(Object.keys(tags).length ? [{ action: "iam:TagRole", resource, context: requestTags(tags) }] : []),
    ];
  },
  "iam:AttachRolePolicy": onRole("iam:AttachRolePolicy", (input) => ({ "iam:PolicyARN": String(input.PolicyArn) })),
  "iam:DetachRolePolicy": onRole("iam:DetachRolePolicy", (input) => ({ "iam:PolicyARN": String(input.PolicyArn) })),
  ...Object.fromEntries(
    ["ListAttachedRolePolicies", "ListRolePolicies", "DeleteRolePolicy", "DeleteRole", "ListRoleTags"].map((a) => [`iam:${a}`, onRole(`iam:${a}`)]),
  ),
  "iam:ListRoles": anywhere("iam:ListRoles"),
  "iam:CreateInstanceProfile": (call) => {
    const [name, path, tags] = [String(call.input.InstanceProfileName), String(call.input.Path ?? "/"), iamTags(call.input)];
    const resource = iamArn(call, "instance-profile", name, path);
    return [
      { action: "iam:CreateInstanceProfile", resource, context: requestTags(tags) },
      ...(Object.keys(tags).length ? [{ action: "iam:TagInstanceProfile", resource, context: requestTags(tags) }] : []),
    ];
  },
  "iam:AddRoleToInstanceProfile": (call) => [...onProfile("iam:AddRoleToInstanceProfile")(call), passRole(call, String(call.input.RoleName))],
  "iam:RemoveRoleFromInstanceProfile": onProfile("iam:RemoveRoleFromInstanceProfile"),
  "iam:DeleteInstanceProfile": onProfile("iam:DeleteInstanceProfile"),
  // SSM
  "ssm:GetParameter": (call) => {
    const key = call.cloud.state.parameters.get(`${call.region}:${call.input.Name}`)?.kmsKeyId;
    const decrypt =
      key && call.input.WithDecryption === true
        ? [
            {
              action: "kms:Decrypt",
              resource: `arn:aws:kms:${call.region}:${account(call)}:key/${key}`,
              context: { "kms:ViaService": `ssm.${call.region}.amazonaws.com` },
              resourcePolicy: defaultKeyPolicy(call),
            },
          ]
        : [];
    return [{ action: "ssm:GetParameter", resource: parameterArn(call), context: {} }, ...decrypt];
  },
  "ssm:PutParameter": (call) => [{ action: "ssm:PutParameter", resource: parameterArn(call), context: {} }],
  "ssm:SendCommand": (call) => {
    const document = String(call.input.DocumentName);
    const documentArn = `arn:aws:ssm:${call.region}:${document.startsWith("AWS-") ? "" : account(call)}:document/${document}`;
    const instances = ((call.input.InstanceIds ?? []) as string[]).map((id) => ({
      action: "ssm:SendCommand",
      resource: ec2Arn(call, "instance", id),
      context: resourceTags(call.cloud.state.instances.find((i) => i.instanceId === id)?.tags, "ssm:resourceTag"),
    }));
    return [{ action: "ssm:SendCommand", resource: documentArn, context: {} }, ...instances];
  },
  "ssm:DescribeInstanceInformation": anywhere("ssm:DescribeInstanceInformation"),
  "ssm:GetCommandInvocation": anywhere("ssm:GetCommandInvocation"),
  "ssm:CancelCommand": anywhere("ssm:CancelCommand"),
  // CloudWatch (the appliance's metrics)
  "monitoring:PutMetricData": (call) => [
    { action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": String(call.input.Namespace) } },
  ],
  // S3 (the endpoint's action names, s3ActionOf) and S3 Control
  "s3:CreateBucket": (call) => {
    const tags = (call.input.tags ?? {}) as Tags;
    const resource = `arn:aws:s3:::${call.input.bucket}`;
    return [
      { action: "s3:CreateBucket", resource, context: requestTags(tags) },
      ...(Object.keys(tags).length ? [{ action: "s3:TagResource", resource, context: requestTags(tags) }] : []),
    ];
  },
  "s3:HeadBucket": onBucket("s3:ListBucket"),
  "s3:ListObjectsV2": onBucket("s3:ListBucket"),
  ...Object.fromEntries(
    ["GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "GetBucketTagging", "PutBucketTagging"].map((a) => [`s3:${a}`, onBucket(`s3:${a}`)]),
  ),
  "s3:GetPublicAccessBlock": onBucket("s3:GetBucketPublicAccessBlock"),
  "s3:PutPublicAccessBlock": onBucket("s3:PutBucketPublicAccessBlock"),
  "s3:GetBucketLifecycleConfiguration": onBucket("s3:GetLifecycleConfiguration"),
  "s3:PutBucketLifecycleConfiguration": onBucket("s3:PutLifecycleConfiguration"),
  "s3:GetObject": onObject("s3:GetObject"),
  "s3:PutObject": onObject("s3:PutObject"),
  "s3:DeleteObject": onObject("s3:DeleteObject"),
  "s3:GetAccountPublicAccessBlock": anywhere("s3:GetAccountPublicAccessBlock"),
};
