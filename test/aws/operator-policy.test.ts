// The IAM policies in docs/AWS-PERMISSIONS.md against the code: every AWS call of the cloud adapters
// (cloud/sdk) is allowed by the operator policy, nothing else is (so the policy stays minimal), the
// destructive and IAM statements keep their conditions, and the appliance role lists exactly what the agent calls.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compileAgentConfig } from "../../gateway/agent/agent-config.ts";
import { instanceRolePolicies } from "../../regions/artifacts/ami-mappings.ts";
import { renderInstanceRolePolicy } from "../../regions/artifacts/instance-role-policy.ts";
import { tagKeys } from "../../cloud/naming.ts";
import { listParameterNames } from "../../regions/plan-publish.ts";
import { makeRecipe } from "./fixtures.ts";

const root = new URL("../..", import.meta.url).pathname;
const docPath = "docs/AWS-PERMISSIONS.md";
const read = (path: string) => readFileSync(join(root, path), "utf8");

interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

// The ```json block that follows `<!-- policy: NAME -->` in the doc, as text.
function policyBlock(name: string): string {
  const blocks = [...read(docPath).matchAll(/<!-- policy: ([a-z]+) -->\n```json\n([\s\S]*?)\n```/g)];
  const found = blocks.filter((b) => b[1] === name);
  assert.equal(found.length, 1, `${docPath} must hold exactly one \`<!-- policy: ${name} -->\` followed by a \`\`\`json block`);
  return found[0]![2]!;
}

function parsePolicy(name: string): Policy {
  const text = policyBlock(name);
  let value: unknown;
  assert.doesNotThrow(() => (value = JSON.parse(text)), `the ${name} policy in ${docPath} is not valid JSON`);
  assert.deepEqual(checkPolicyShape(value), [], `the ${name} policy in ${docPath} is not a valid IAM policy document`);
  return value as Policy;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// IAM condition operators (reference_policies_elements_condition_operators), with the ForAllValues:/ForAnyValue: and IfExists forms.
const baseOperators = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
];
const isOperator = (op: string) => op === "Null" || baseOperators.includes(op.replace(/^(ForAllValues|ForAnyValue):/, "").replace(/IfExists$/, ""));

// Problems with the shape of an identity policy document (empty when it is one).
function checkPolicyShape(value: unknown): string[] {
  const problems: string[] = [];
  const isStrings = (v: unknown) =>
    (typeof v === "string" && v.length > 0) || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && x.length > 0));
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["not a JSON object"];
  const policy = value as Record<string, unknown>;
  for (const key of Object.keys(policy)) if (!["Version", "Statement"].includes(key)) problems.push(`unexpected top-level key ${key}`);
  if (policy.Version !== "2012-10-17") problems.push(`Version must be "2012-10-17", got ${JSON.stringify(policy.Version)}`);
  if (!Array.isArray(policy.Statement) || policy.Statement.length === 0) return [...problems, "Statement must be a non-empty array"];
  const sids = new Set<string>();
  for (const [i, s] of (policy.Statement as Record<string, unknown>[]).entries()) {
    const at = `Statement[${i}]${typeof s?.Sid === "string" ? ` (${s.Sid})` : ""}`;
    if (typeof s !== "object" || s === null) {
      problems.push(`${at} is not an object`);
      continue;
    }
    for (const key of Object.keys(s))
      if (!["Sid", "Effect", "Action", "Resource", "Condition"].includes(key))
        problems.push(`${at}: unexpected key ${key} (NotAction, NotResource and Principal are not used here)`);
    if (typeof s.Sid !== "string" || !/^[A-Za-z0-9]+$/.test(s.Sid)) problems.push(`${at}: Sid must be letters and digits`);
    else if (sids.has(s.Sid)) problems.push(`${at}: Sid ${s.Sid} is used twice`);
    else sids.add(s.Sid);
    if (s.Effect !== "Allow" && s.Effect !== "Deny") problems.push(`${at}: Effect must be Allow or Deny`);
    if (!isStrings(s.Action)) problems.push(`${at}: Action must be a string or a non-empty array of strings`);
    else for (const a of list(s.Action as string | string[])) if (!/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(a)) problems.push(`${at}: ${a} is not service:Action`);
    if (!isStrings(s.Resource)) problems.push(`${at}: Resource must be a string or a non-empty array of strings`);
    else
      for (const r of list(s.Resource as string | string[]))
        if (r !== "*" && !/^arn:aws:[a-z0-9-]+:[^:]*:[^:]*:.+$/.test(r)) problems.push(`${at}: ${r} is not "*" or an arn:aws: ARN`);
    if (s.Condition !== undefined) {
      if (typeof s.Condition !== "object" || s.Condition === null || Array.isArray(s.Condition)) problems.push(`${at}: Condition must be an object`);
      else
        for (const [op, keys] of Object.entries(s.Condition)) {
          if (!isOperator(op)) problems.push(`${at}: ${op} is not a condition operator`);
          if (typeof keys !== "object" || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0)
            problems.push(`${at}: ${op} must map condition keys to values`);
          else
            for (const [key, v] of Object.entries(keys as Record<string, unknown>)) {
              if (!isStrings(v)) problems.push(`${at}: ${op} ${key} must be a string or an array of strings`);
              if (op === "Null" && v !== "true" && v !== "false") problems.push(`${at}: Null ${key} must be "true" or "false"`);
            }
        }
    }
  }
  return problems;
}

// IAM wildcard matching (`*` any run of characters, `?` one), as for Action and Resource.
const matches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  ).test(value);
const allowStatements = (policy: Policy) => policy.Statement.filter((s) => s.Effect === "Allow");
const statementsAllowing = (policy: Policy, action: string) => allowStatements(policy).filter((s) => list(s.Action).some((a) => matches(a, action)));
// Whether some Allow statement names the action on the resource (conditions aside).
const allows = (policy: Policy, action: string, resource: string) =>
  statementsAllowing(policy, action).some((s) => list(s.Resource).some((r) => r === "*" || matches(r, resource)));

// The IAM prefix of each AWS SDK v3 client package.
const packagePrefix: Record<string, string> = {
  "client-ec2": "ec2",
  "client-s3": "s3",
  "client-s3-control": "s3",
  "client-iam": "iam",
  "client-ssm": "ssm",
  "client-sts": "sts",
  "client-cloudwatch": "cloudwatch",
  "client-ebs": "ebs",
};

// `<client package>:<command>` whose IAM action is not `<prefix>:<command>` (Service Authorization Reference); null: the call
// needs no permission at all.
const renamedActions: Record<string, string | null> = {
  "client-s3:HeadBucket": "s3:ListBucket", // HeadBucket is authorised as ListBucket
  "client-s3:ListObjectsV2": "s3:ListBucket", // listing is an action on the bucket
  "client-s3:HeadObject": "s3:GetObject",
  "client-s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
  "client-s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
  "client-s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock", // the bucket's, not the account's
  "client-s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
  "client-s3-control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock", // the account's
  "client-sts:GetCallerIdentity": null, // STS answers it for any signed request, even under an explicit deny
};

// Calls made without a `new …Command`: the file, a string that marks the call there, and the IAM action.
const rawCalls = [
  // S3 Control GetPublicAccessBlock, signed by hand with the S3 client's credentials (no S3 Control client among the dependencies)
  { file: "cloud/sdk/s3-control-adapter.ts", marker: "/v20180820/configuration/publicAccessBlock", action: "s3:GetAccountPublicAccessBlock" },
];

// Allowed although no adapter calls them by name: AWS checks them as part of the calls in `by`.
const impliedActions = [
  { action: "iam:PassRole", by: ["ec2:RunInstances", "iam:AddRoleToInstanceProfile"] }, // launching with an instance profile; adding a role to a profile
  { action: "iam:TagRole", by: ["iam:CreateRole"] }, // CreateRole with Tags
  { action: "iam:TagInstanceProfile", by: ["iam:CreateInstanceProfile"] }, // CreateInstanceProfile with Tags
  { action: "ec2:CreateTags", by: ["ec2:RunInstances", "ec2:CreateSecurityGroup", "ec2:CreateImage", "ec2:CopyImage"] }, // TagSpecifications at creation
  { action: "s3:TagResource", by: ["s3:CreateBucket"] }, // CreateBucket with Tags
];

const listTs = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []))
    .sort();

// The IAM actions of every `new <Name>Command(` in the files, from the @aws-sdk client package each command is imported from.
function scanSdkCalls(files: string[]): { action: string | null; where: string }[] {
  const calls: { action: string | null; where: string }[] = [];
  for (const file of files) {
    const source = read(file);
    const imported = new Map<string, { pkg: string; name: string }>();
    // A client package loaded when first needed (`await import("@aws-sdk/…")`): its commands, when it is the file's only one.
    const loaded = new Set([...source.matchAll(/import\(\s*["']@aws-sdk\/([a-z0-9-]+)["']\s*\)/g)].map((m) => m[1]!));
    for (const m of source.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']@aws-sdk\/([a-z0-9-]+)["']/g)) {
      for (const spec of m[1]!
        .split(",")
        .map((s) => s.trim().replace(/^type\s+/, ""))
        .filter(Boolean)) {
        const [name, alias] = spec.split(/\s+as\s+/);
        if (name!.endsWith("Command")) imported.set(alias ?? name!, { pkg: m[2]!, name: name! });
      }
    }
    for (const m of source.matchAll(/new\s+([A-Za-z0-9_$]+Command)\s*\(/g)) {
      const where = `${file}: new ${m[1]}`;
      const from = imported.get(m[1]!) ?? (loaded.size === 1 ? { pkg: [...loaded][0]!, name: m[1]! } : undefined);
      assert.ok(from, `${where}: not imported from an @aws-sdk client package; map it to its IAM action in this test`);
      const prefix = packagePrefix[from.pkg];
      assert.ok(prefix, `${where}: @aws-sdk/${from.pkg} has no IAM prefix in packagePrefix`);
      const command = from.name.replace(/Command$/, "");
      const key = `${from.pkg}:${command}`;
      calls.push({ action: key in renamedActions ? renamedActions[key]! : `${prefix}:${command}`, where });
    }
  }
  return calls;
}

// The IAM actions the cloud adapters need (SDK commands and raw calls), with where each comes from.
function adapterActions(): Map<string, string> {
  const files = listTs("cloud/sdk");
  assert.ok(files.length >= 6, "cloud/sdk/*.ts not found");
  const needed = new Map<string, string>();
  for (const c of scanSdkCalls(files)) if (c.action) needed.set(c.action, needed.get(c.action) ?? c.where);
  for (const raw of rawCalls) {
    assert.ok(read(raw.file).includes(raw.marker), `${raw.file} no longer contains ${raw.marker}: update rawCalls in this test`);
    needed.set(raw.action, `${raw.file} (${raw.marker})`);
  }
  for (const file of files) {
    const source = read(file);
    if (/@smithy\/signature-v4|\bfetch\(/.test(source))
      assert.ok(
        rawCalls.some((r) => r.file === file),
        `${file} signs or sends a request by hand: list it in rawCalls`,
      );
  }
  return needed;
}

const operator = () => parsePolicy("operator");

test("the operator policy in docs/AWS-PERMISSIONS.md is one valid IAM policy document that fits a customer managed policy", () => {
  const policy = operator();
  assert.ok(
    policy.Statement.every((s) => s.Effect === "Allow"),
    "the operator policy only allows",
  );
  assert.ok(
    JSON.stringify(policy).length <= 6144,
    `the policy is ${JSON.stringify(policy).length} characters without white space: a customer managed policy holds 6,144`,
  );
});

test("every AWS call of the cloud adapters is allowed by the operator policy", () => {
  const policy = operator();
  const needed = adapterActions();
  for (const action of ["ec2:RunInstances", "ec2:CreateTags", "s3:ListBucket", "ssm:SendCommand", "iam:CreateRole"])
    assert.ok(needed.has(action), `the scan missed ${action}: is cloud/sdk still where the adapters are?`);
  const missing = [...needed].filter(([action]) => statementsAllowing(policy, action).length === 0).map(([action, where]) => `${action} (${where})`);
  assert.deepEqual(missing, [], `${docPath} does not allow these calls`);
});

test("the operator policy allows nothing the adapters do not call (implied permissions aside)", () => {
  const policy = operator();
  const needed = adapterActions();
  const implied = impliedActions.filter((i) => i.by.some((a) => needed.has(a))).map((i) => i.action);
  const extra: string[] = [];
  for (const s of allowStatements(policy)) {
    for (const a of list(s.Action)) {
      if (/[*?]/.test(a)) extra.push(`${s.Sid}: ${a} (list actions one by one)`);
      else if (!needed.has(a) && !implied.includes(a)) extra.push(`${s.Sid}: ${a}`);
    }
  }
  assert.deepEqual(extra, [], `${docPath} allows actions that no adapter calls: remove them, or name the call that implies them in impliedActions`);
});

test("destructive EC2 actions need the rtcgw:build tag, and tags are written only at creation or as rtcgw:* tags on tagged images", () => {
  const policy = operator();
  const resourceTag = `aws:ResourceTag/${tagKeys.build}`;
  const hasKey = (s: Statement, key: string) => Object.values(s.Condition ?? {}).some((keys) => key in keys);
  const requiresTag = (s: Statement) => s.Condition?.Null?.[resourceTag] === "false";
  const destructive = [
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteVolume",
    "ec2:DeregisterImage",
    "ec2:DeleteSnapshot",
    "ec2:ModifyImageAttribute",
    "ec2:ModifySnapshotAttribute",
    "ec2:EnableImageDeprecation",
  ];
  for (const action of destructive) {
    const statements = statementsAllowing(policy, action);
    assert.ok(statements.length > 0, `${action} is not allowed at all`);
    for (const s of statements) assert.ok(requiresTag(s), `${s.Sid} allows ${action} without Null ${resourceTag} = "false"`);
  }
  // On instances, CreateImage and SendCommand act on the builder: only tagged ones.
  for (const action of ["ec2:CreateImage", "ssm:SendCommand"]) {
    for (const s of statementsAllowing(policy, action).filter((x) => list(x.Resource).some((r) => r === "*" || r.includes(":instance/"))))
      assert.ok(requiresTag(s), `${s.Sid} allows ${action} on any instance`);
  }
  for (const s of statementsAllowing(policy, "ec2:CreateTags")) {
    const atCreation = hasKey(s, "ec2:CreateAction");
    const onTagged = requiresTag(s) && JSON.stringify(s.Condition?.["ForAllValues:StringLike"]?.["aws:TagKeys"]) === JSON.stringify("rtcgw:*");
    assert.ok(atCreation !== onTagged, `${s.Sid}: ec2:CreateTags must be limited to ec2:CreateAction, or to rtcgw:* keys on resources tagged ${tagKeys.build}`);
    if (onTagged) assert.deepEqual(list(s.Resource), ["arn:aws:ec2:*::image/*"], `${s.Sid}: tagging after creation is for the smoke-tested image only`);
  }
  // The builder tags the image after the smoke test with rtcgw:* keys only (build-aws-image.ts).
  const build = read("image/builders/aws/build-aws-image.ts");
  const lateTags = /ports\.ec2\.tagResource\(region, imageId, \{([^}]*)\}/.exec(build);
  assert.ok(lateTags, "build-aws-image.ts no longer tags the image after the smoke test: check MarkSmokeTestedImage");
  for (const key of lateTags[1]!.matchAll(/"([^"]+)":|\[tagKeys\.(\w+)\]:/g)) {
    const name = key[1] ?? tagKeys[key[2] as keyof typeof tagKeys];
    assert.ok(name?.startsWith("rtcgw:"), `the image is tagged with ${name} after its creation: MarkSmokeTestedImage allows rtcgw:* keys only`);
  }
  // The base image is Debian's: RunInstances on images not tagged by rtcgw is pinned to the owner the builder looks up.
  const owner = /owners: \["(\d{12})"\]/.exec(read("image/builders/aws/launch-instance.ts"))?.[1];
  assert.ok(owner, "launch-instance.ts no longer names the Debian AMI owner");
  const launchImages = statementsAllowing(policy, "ec2:RunInstances").filter((s) => list(s.Resource).some((r) => r.includes("::image/")));
  assert.ok(
    launchImages.every((s) => requiresTag(s) || s.Condition?.StringEquals?.["ec2:Owner"] === owner),
    `RunInstances on images must need ${tagKeys.build} or ec2:Owner ${owner}`,
  );
});

test("IAM: only rtcgw's own role and instance profile, only the SSM core policy attached, the role passed only to EC2", () => {
  const policy = operator();
  const path = /path: "([^"]+)"/.exec(read("image/builders/aws/temporary-resources.ts"))?.[1];
  const prefix = /`(rtcgw-build-)\$\{short\}`/.exec(read("image/builders/aws/build-aws-image.ts"))?.[1];
  const ssmCore = /ssmCorePolicy = "([^"]+)"/.exec(read("image/builders/aws/temporary-resources.ts"))?.[1];
  assert.ok(path && prefix && ssmCore, "the builder's role path, name or policy moved: update this test and the doc");
  const roleArn = `arn:aws:iam::123456789012:role${path}${prefix}0123456789ab`;
  const profileArn = `arn:aws:iam::123456789012:instance-profile${path}${prefix}0123456789ab`;
  for (const s of allowStatements(policy)) {
    for (const a of list(s.Action).filter((x) => x.startsWith("iam:") && x !== "iam:ListRoles")) {
      const kind = /InstanceProfile/.test(a) ? "instance-profile" : "role";
      for (const r of list(s.Resource))
        assert.match(r, new RegExp(`^arn:aws:iam::\\*:${kind}${path}${prefix.replace(/-build-$/, "-")}\\*$`), `${s.Sid}: ${a} on ${r}`);
      assert.ok(
        list(s.Resource).some((r) => matches(r, kind === "role" ? roleArn : profileArn)),
        `${s.Sid}: ${a} does not match ${kind === "role" ? roleArn : profileArn}`,
      );
    }
  }
  for (const s of statementsAllowing(policy, "iam:PassRole"))
    assert.deepEqual(s.Condition, { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } }, `${s.Sid}: PassRole only to EC2`);
  for (const s of statementsAllowing(policy, "iam:AttachRolePolicy"))
    assert.deepEqual(s.Condition, { ArnEquals: { "iam:PolicyARN": ssmCore } }, `${s.Sid}: only ${ssmCore} may be attached`);
  // No principal with this policy may give an rtcgw-* role a permission of its choosing (CreateRole takes any trust policy):
  // no PutRolePolicy, no other managed policy. Deleting a role (an older build's, with an inline policy) still reaches it.
  for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:CreatePolicy", "iam:CreatePolicyVersion"])
    assert.ok(!allows(policy, action, roleArn) && !statementsAllowing(policy, action).length, `${action} must not be allowed`);
  for (const action of ["iam:ListRolePolicies", "iam:DeleteRolePolicy", "iam:DeleteRole"])
    assert.ok(allows(policy, action, roleArn), `${action} on ${roleArn}`);
  assert.ok(read(docPath).includes("No `iam:PutRolePolicy`"), `${docPath} must say why the operator policy has no PutRolePolicy`);
  assert.doesNotMatch(
    read(docPath),
    /as strong as any IAM policy\*\*|BuilderRoleLogUpload|rtcgw-command-output`: `s3:PutObject/,
    `${docPath} still describes the inline log policy`,
  );
});

test("S3 and SSM: only rtcgw's buckets and the recipe's AMI-id parameters, never the license parameter", () => {
  const policy = operator();
  const account = "123456789012";
  const bucket = `rtcgw-${account}-eu-central-1`;
  for (const source of ["image/builders/aws/build-aws-image.ts", "regions/publish-image.ts"])
    assert.ok(read(source).includes("`rtcgw-${"), `${source}: the default bucket is no longer rtcgw-<account>-<region>`);
  for (const s of allowStatements(policy)) {
    for (const r of list(s.Resource).filter((x) => x.startsWith("arn:aws:s3:::")))
      assert.match(r, /^arn:aws:s3:::rtcgw-\*(\/\*)?$/, `${s.Sid}: S3 only on rtcgw-* buckets`);
    if (list(s.Action).some((a) => a.startsWith("s3:")) && list(s.Resource).includes("*"))
      assert.deepEqual(
        list(s.Action).filter((a) => a.startsWith("s3:")),
        ["s3:GetAccountPublicAccessBlock"],
        `${s.Sid}: only the account-level read may use "*"`,
      );
  }
  assert.ok(allows(policy, "s3:CreateBucket", `arn:aws:s3:::${bucket}`) && allows(policy, "s3:PutObject", `arn:aws:s3:::${bucket}/staging/b1/bundle.tar.gz`));
  assert.ok(
    !allows(policy, "ssm:SendCommand", `arn:aws:s3:::${bucket}`),
    "SendCommand names no output bucket: the scripts upload their logs through presigned URLs",
  );
  const recipe = makeRecipe();
  const arn = (name: string) => `arn:aws:ssm:eu-central-1:${account}:parameter${name}`;
  for (const name of listParameterNames(recipe)) {
    for (const action of ["ssm:GetParameter", "ssm:PutParameter"]) assert.ok(allows(policy, action, arn(name)), `${action} on ${name}`);
  }
  const license = recipe.gateway.license.parameter;
  for (const action of ["ssm:GetParameter", "ssm:PutParameter"])
    assert.ok(!allows(policy, action, arn(license)), `the operator policy must not allow ${action} on the license parameter ${license}`);
});

// Condition keys the policies use, and the actions of these policies for which the Service Authorization Reference lists them
// (a key that an action does not support makes the statement never match).
const conditionKeySupport: Record<string, string[]> = {
  "aws:RequestTag/${TagKey}": [
    "ebs:StartSnapshot",
    "ec2:CopyImage",
    "ec2:CreateImage",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:RunInstances",
    "iam:CreateInstanceProfile",
    "iam:CreateRole",
    "iam:TagInstanceProfile",
    "iam:TagRole",
    "s3:CreateBucket",
    "s3:TagResource",
    "ssm:PutParameter",
  ],
  "aws:ResourceTag/${TagKey}": [
    "cloudwatch:PutMetricData",
    "ebs:CompleteSnapshot",
    "ebs:PutSnapshotBlock",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateImage",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSnapshot",
    "ec2:DeleteVolume",
    "ec2:DeregisterImage",
    "ec2:EnableImageDeprecation",
    "ec2:ModifyImageAttribute",
    "ec2:ModifySnapshotAttribute",
    "ec2:RunInstances",
    "ec2:StopInstances",
    "ec2:TerminateInstances",
    "ssm:GetParameter",
    "ssm:SendCommand",
  ],
  "aws:TagKeys": [
    "ec2:CopyImage",
    "ec2:CreateImage",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:RunInstances",
    "iam:CreateInstanceProfile",
    "iam:CreateRole",
    "iam:TagInstanceProfile",
    "iam:TagRole",
    "s3:CreateBucket",
    "s3:TagResource",
    "ssm:PutParameter",
  ],
  "ec2:CreateAction": ["ec2:CreateTags"],
  "ec2:Owner": [
    "ec2:CopyImage",
    "ec2:CreateImage",
    "ec2:CreateTags",
    "ec2:DeleteSnapshot",
    "ec2:DeregisterImage",
    "ec2:EnableImageDeprecation",
    "ec2:ModifyImageAttribute",
    "ec2:ModifySnapshotAttribute",
    "ec2:RunInstances",
  ],
  "iam:PassedToService": ["iam:PassRole"],
  "iam:PolicyARN": ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
  "cloudwatch:namespace": ["cloudwatch:PutMetricData"],
  "kms:ViaService": ["kms:Decrypt"],
};

test("every condition key is one the Service Authorization Reference lists for every action of its statement", () => {
  for (const name of ["operator", "appliance"]) {
    for (const s of parsePolicy(name).Statement) {
      for (const keys of Object.values(s.Condition ?? {})) {
        for (const key of Object.keys(keys)) {
          const generic = key.replace(/^(aws:(?:Request|Resource)Tag)\/.+$/, "$1/${TagKey}");
          const supported = conditionKeySupport[generic];
          assert.ok(supported, `${name} ${s.Sid}: condition key ${key} is not in conditionKeySupport (check the Service Authorization Reference, then add it)`);
          for (const a of list(s.Action)) assert.ok(supported.includes(a), `${name} ${s.Sid}: ${a} does not support ${key}`);
          if (generic !== key) assert.equal(key.split("/")[1], tagKeys.build, `${name} ${s.Sid}: rtcgw tags its resources with ${tagKeys.build}`);
        }
      }
    }
  }
});

// A template policy's value as the doc writes it for any stack: `Fn::Sub` with `*` for the region and account, `aws` for the partition.
function asDocValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asDocValue);
  if (typeof value !== "object" || value === null) return value;
  const sub = (value as Record<string, unknown>)["Fn::Sub"];
  if (typeof sub === "string") return sub.replace(/\$\{AWS::Partition\}/g, "aws").replace(/\$\{AWS::(Region|AccountId)\}/g, "*");
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asDocValue(v)]));
}

test("the appliance policy lists exactly what the agent calls (kms:Decrypt for its decrypted read) and says what the templates' inline policy says", () => {
  const policy = parsePolicy("appliance");
  const calls = scanSdkCalls(listTs("gateway/agent"));
  const called = new Set(calls.map((c) => c.action).filter((a): a is string => a !== null));
  assert.ok(called.size > 0, "the scan found no AWS call in gateway/agent");
  // GetParameter WithDecryption of a SecureString under a customer managed key needs kms:Decrypt as well.
  const reader = read("gateway/agent/license/read-license-parameter.ts");
  assert.match(reader, /WithDecryption: true/, "the agent no longer decrypts the license: drop kms:Decrypt from the appliance policy and the templates");
  const needed = new Set([...called, "kms:Decrypt"]);
  const listed = new Set(allowStatements(policy).flatMap((s) => list(s.Action)));
  assert.deepEqual(
    [...listed].sort(),
    [...needed].sort(),
    `${docPath}: the appliance policy must list exactly the agent's calls (${calls.map((c) => c.where).join("; ")}) and kms:Decrypt`,
  );
  const recipe = makeRecipe();
  const config = compileAgentConfig(recipe, "");
  assert.ok(
    allows(policy, "ssm:GetParameter", `arn:aws:ssm:eu-central-1:123456789012:parameter${config.license.parameter}`),
    `GetParameter must reach ${config.license.parameter}`,
  );
  assert.ok(!allows(policy, "ssm:GetParameter", "arn:aws:ssm:eu-central-1:123456789012:parameter/rtcgw/latest"), "GetParameter on the license only");
  for (const s of statementsAllowing(policy, "cloudwatch:PutMetricData"))
    assert.deepEqual(s.Condition, { StringEquals: { "cloudwatch:namespace": config.metrics.namespace } }, `${s.Sid}: only the agent's namespace`);
  for (const s of statementsAllowing(policy, "kms:Decrypt"))
    assert.deepEqual(
      Object.values(s.Condition ?? {}).flatMap((keys) => Object.keys(keys)),
      ["kms:ViaService"],
      `${s.Sid}: decrypt only through SSM`,
    );
  // The templates' inline policy for the default recipe, read with `*` for region and account, is the doc's: same statements,
  // resources and condition values (the doc's StringLike where a value holds a `*` stands for the template's StringEquals).
  const rendered = asDocValue(renderInstanceRolePolicy(recipe)) as Policy;
  assert.deepEqual(
    rendered.Statement.map((s) => s.Sid),
    policy.Statement.map((s) => s.Sid),
    "the doc and the templates name the same statements",
  );
  for (const [i, s] of rendered.Statement.entries()) {
    const doc = policy.Statement[i]!;
    assert.deepEqual([list(s.Action), list(s.Resource)], [list(doc.Action), list(doc.Resource)], `${s.Sid}: actions and resources`);
    const conditions = (c: Statement["Condition"]) =>
      Object.entries(c ?? {}).flatMap(([op, keys]) =>
        Object.entries(keys).map(([key, v]) => [list(v).some((x) => x.includes("*")) ? op.replace("StringEquals", "StringLike") : op, key, v]),
      );
    assert.deepEqual(conditions(s.Condition), conditions(doc.Condition), `${s.Sid}: conditions`);
  }
  const doc = read(docPath);
  for (const arn of instanceRolePolicies) assert.ok(doc.includes(arn), `${docPath} must say that the templates attach ${arn}`);
  assert.match(
    doc,
    /AmazonSSMManagedInstanceCore`: the image\s+keeps the SSM agent[^]*`ssm:GetParameter` and `ssm:GetParameters` on \*\*every\*\*/,
    `${docPath} must say that the SSM core policy reads every parameter`,
  );
  assert.match(doc, /under the AWS managed key `aws\/ssm`\s+needs no `kms:` statement/, `${docPath} must say that aws/ssm needs no kms statement`);
});
