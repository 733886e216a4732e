import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CloudError } from "../../cloud/ports.ts";
import { createIamAdapter } from "../../cloud/sdk/iam-sts-adapter.ts";
import type { SdkOptions } from "../../cloud/sdk/client-options.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";

// Deleting a builder role through a real SDK v3 IAM client against the in-process endpoint: IAM refuses a role that still has a
// policy, so the adapter detaches the managed ones and deletes inline ones (rtcgw writes none any more; roles of older builds
// had `rtcgw-command-output`) first.
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;

before(async () => {
  cloud = createFakeCloud({ regions: ["us-east-1"] });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region: "us-east-1", endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 3 };
});
after(() => endpoint.close());

const isCode = (code: string) => (e: unknown) =>
  (e instanceof CloudError && e.code === code) || [code, `${code}Exception`].includes(String((e as { name?: string }).name));

test("deleteRole removes a role left by an older build with an inline policy: IAM alone refuses (DeleteConflict), the adapter deletes the policies first", async () => {
  const iam = createIamAdapter(sdk);
  const name = "rtcgw-build-0123456789ab";
  await iam.createRole({ name, path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags: { "rtcgw:build": "0123456789abcdef0123" } });
  await iam.attachRolePolicy(name, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  const role = cloud.state.roles.find((r) => r.name === name)!;
  role.inlinePolicies["rtcgw-command-output"] = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::rtcgw-111122223333-us-east-1/logs/0123456789abcdef0123/*" }],
  });
  role.inlinePolicies["another"] = JSON.stringify({ Version: "2012-10-17", Statement: [] });
  const raw = new IAMClient({ region: "us-east-1", endpoint: endpoint.url, credentials: sdk.credentials!, maxAttempts: 1 });
  await assert.rejects(raw.send(new DeleteRoleCommand({ RoleName: name })), isCode("DeleteConflict"), "a role with a managed policy attached is not deleted");
  role.policies = [];
  await assert.rejects(raw.send(new DeleteRoleCommand({ RoleName: name })), isCode("DeleteConflict"), "nor one with an inline policy");
  role.policies = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"];
  const served = endpoint.served.length;
  await iam.deleteRole(name);
  assert.deepEqual(endpoint.served.slice(served), [
    "ListAttachedRolePolicies",
    "DetachRolePolicy",
    "ListRolePolicies",
    "DeleteRolePolicy",
    "DeleteRolePolicy",
    "ListRolePolicies",
    "DeleteRole",
  ]);
  assert.deepEqual([role.deleted, role.inlinePolicies], [true, {}]);
  await iam.deleteRole(name);
  await iam.deleteRole("rtcgw-build-gone");
  assert.deepEqual(cloud.listLeftovers(), []);
  raw.destroy();
});
