import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { builderLogPolicyName, renderBuilderLogPolicy } from "../../image/builders/aws/builder-log-policy.ts";
import { CloudError } from "../../regions/cloud/ports.ts";
import { createIamAdapter } from "../../regions/cloud/sdk/iam-sts-adapter.ts";
import type { SdkOptions } from "../../regions/cloud/sdk/client-options.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";

// The builder role's inline policy through a real SDK v3 IAM client against the in-process endpoint: written, listed,
// and removed before the role, as IAM requires.
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;

before(async () => {
  cloud = createFakeCloud({ regions: ["us-east-1"] });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region: "us-east-1", endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 3 };
});
after(() => endpoint.close());

const isCode = (code: string) => (e: unknown) => (e instanceof CloudError && e.code === code) || [code, `${code}Exception`].includes(String((e as { name?: string }).name));

test("PutRolePolicy, ListRolePolicies, DeleteRolePolicy: IAM refuses DeleteRole while the inline policy is there; the adapter's deleteRole works once it is gone", async () => {
  const iam = createIamAdapter(sdk);
  const name = "rtcgw-build-0123456789ab";
  const document = renderBuilderLogPolicy("rtcgw-111122223333-us-east-1", "0123456789abcdef0123", "us-east-1");
  await iam.createRole({ name, path: "/rtcgw/", trustService: "ec2.amazonaws.com", tags: { "rtcgw:build": "0123456789abcdef0123" } });
  await iam.attachRolePolicy(name, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  await iam.putRolePolicy(name, builderLogPolicyName, document);
  const role = cloud.state.roles.find((r) => r.name === name)!;
  assert.deepEqual(role.inlinePolicies, { [builderLogPolicyName]: document }, "the document arrived intact");
  assert.deepEqual(await iam.listRolePolicies(name), [builderLogPolicyName]);
  const raw = new IAMClient({ region: "us-east-1", endpoint: endpoint.url, credentials: sdk.credentials!, maxAttempts: 1 });
  await assert.rejects(raw.send(new DeleteRoleCommand({ RoleName: name })), isCode("DeleteConflict"), "a role with a managed policy attached is not deleted");
  await assert.rejects(iam.deleteRole(name), isCode("DeleteConflict"), "nor one with an inline policy, even with its managed policies detached");
  assert.equal(role.deleted, false);
  await iam.deleteRolePolicy(name, builderLogPolicyName);
  await iam.deleteRolePolicy(name, builderLogPolicyName);
  await iam.deleteRolePolicy("rtcgw-build-gone", builderLogPolicyName);
  assert.deepEqual(await iam.listRolePolicies(name), []);
  await iam.deleteRole(name);
  assert.equal(role.deleted, true);
  assert.deepEqual(cloud.listLeftovers(), []);
  raw.destroy();
});
