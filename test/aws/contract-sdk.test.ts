import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EC2Client, waitUntilImageAvailable } from "@aws-sdk/client-ec2";
import { CloudError } from "../../cloud/ports.ts";
import { createEc2Adapter } from "../../cloud/sdk/ec2-adapter.ts";
import { createStsAdapter } from "../../cloud/sdk/iam-sts-adapter.ts";
import { createSsmAdapter } from "../../cloud/sdk/ssm-adapter.ts";
import type { SdkOptions } from "../../cloud/sdk/client-options.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";

// Real SDK v3 clients against the in-process endpoint: retries, error parsing, a waiter and ClientToken run for real.
let cloud: FakeCloud;
let endpoint: FakeEndpoint;
let sdk: SdkOptions;
let sourceImageId: string;

before(async () => {
  cloud = createFakeCloud({ regions: ["us-east-1", "eu-west-1"] });
  endpoint = await startFakeEndpoint(cloud);
  sdk = { region: "us-east-1", endpoint: endpoint.url, credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" }, maxAttempts: 4 };
  const image = cloud.state.images.find((i) => i.region === "us-east-1")!;
  [image.ownerId, image.tags] = [cloud.state.accountId, { "rtcgw:build": "b1" }];
  sourceImageId = image.imageId;
});
after(() => endpoint.close());

test("STS GetCallerIdentity is parsed from the Query/XML response", async () => {
  assert.deepEqual(await createStsAdapter(sdk).getCallerIdentity(), { account: "111122223333", arn: "arn:aws:iam::111122223333:user/builder" });
});

test("SSM: ParameterNotFound is parsed, a throttled PutParameter is retried by the SDK, the value lands in the region of the signature", async () => {
  const ssm = createSsmAdapter(sdk);
  assert.equal(await ssm.getParameter("eu-west-1", "/rtcgw/latest"), undefined);
  cloud.faults.throttleNext = 2;
  await ssm.putParameter("eu-west-1", { name: "/rtcgw/latest", value: sourceImageId.replace(/./, "a"), dataType: "text", tags: {} });
  assert.equal(cloud.faults.throttleNext, 0);
  assert.equal(cloud.state.parameters.get("eu-west-1:/rtcgw/latest")?.version, 1, "one write despite the retries");
  assert.equal(await ssm.getParameter("eu-west-1", "/rtcgw/latest"), sourceImageId.replace(/./, "a"));
  await assert.rejects(
    ssm.putParameter("eu-west-1", { name: "/rtcgw/x", value: "ami-0000000000000dead", dataType: "aws:ec2:image", tags: {} }),
    (e) => e instanceof CloudError && e.code === "InvalidParameter",
  );
});

test("CopyImage: a lost response is retried by the SDK with the same ClientToken and makes one copy", async () => {
  const ec2 = createEc2Adapter(sdk);
  const input = {
    sourceRegion: "us-east-1",
    sourceImageId,
    name: "rtcgw-0.1.0-contract",
    description: "d",
    clientToken: "token-1",
    tags: { "rtcgw:build": "b1" },
  };
  endpoint.loseNextResponse.add("CopyImage");
  const first = await ec2.copyImage("eu-west-1", input);
  assert.equal(endpoint.loseNextResponse.size, 0, "the response was lost once");
  assert.equal(await ec2.copyImage("eu-west-1", input), first);
  assert.deepEqual(
    cloud.listOwnImages("eu-west-1").map((i) => i.imageId),
    [first],
  );
  await assert.rejects(ec2.copyImage("eu-west-1", { ...input, name: "other" }), (e) => e instanceof CloudError && e.code === "IdempotentParameterMismatch");
  const [copy] = await ec2.describeImages("eu-west-1", { owners: ["self"], tag: { key: "rtcgw:build", value: "b1" } });
  assert.equal(copy?.imageId, first);
  assert.equal(copy?.state, "pending");
  await assert.rejects(
    ec2.describeImages("eu-west-1", { imageIds: ["ami-00000000000000bad"] }),
    (e) => e instanceof CloudError && e.code === "InvalidAMIID.NotFound",
  );
});

test("the SDK's image-available waiter polls DescribeImages until the copy is done", async () => {
  const [copy] = cloud.listOwnImages("eu-west-1");
  cloud.faults.onCall = (operation) => operation === "DescribeImages" && cloud.clock.advance(10 * 60_000);
  const client = new EC2Client({ region: "eu-west-1", endpoint: endpoint.url, credentials: sdk.credentials! });
  const result = await waitUntilImageAvailable({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { ImageIds: [copy!.imageId] });
  cloud.faults.onCall = undefined;
  assert.equal(result.state, "SUCCESS");
  assert.equal(cloud.listOwnImages("eu-west-1")[0]!.state, "available");
});
