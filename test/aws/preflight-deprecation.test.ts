import assert from "node:assert/strict";
import { test } from "node:test";
import { runPreflight } from "../../cloud/preflight.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe } from "./fixtures.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";

// A recipe object built in code skips the DSL rules: pre-flight still refuses a public AMI deprecated later than AWS allows.
test("pre-flight refuses a public AMI deprecated more than 2 years after creation, before anything is created", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1"] });
  const recipe = makeRecipe({ regions: ["us-east-1"], publish: { visibility: "public" } });
  const late = { ...recipe, publish: { ...recipe.publish, deprecateAfter: 3 * 365 * 86400 } };
  const result = await runPreflight({ recipe: late, sourceRegion: "us-east-1", amiName: "rtcgw-0.1.0-x", buildId: "x" }, startCloudRun(cloud.ports));
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems;
  assert.deepEqual(
    problems.map((p) => p.code),
    ["deprecation-too-late"],
  );
  assert.match(problems[0]!.message, /1095 d .*at most 2 years/);
  const fine = await runPreflight({ recipe, sourceRegion: "us-east-1", amiName: "rtcgw-0.1.0-x", buildId: "x" }, startCloudRun(cloud.ports));
  assert.equal(fine.ok, true, JSON.stringify(fine));
  assert.equal(cloud.state.buckets.size + cloud.state.instances.length, 0);
});

test("the fake cloud refuses a public AMI's deprecation beyond 2 years after creation, as EC2 documents", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1"] });
  const image = cloud.state.images.find((i) => i.region === "us-east-1")!;
  [image.ownerId, image.public] = [cloud.state.accountId, true];
  const created = new Date(image.createdAt);
  const twoYears = new Date(created).setUTCFullYear(created.getUTCFullYear() + 2);
  await cloud.ports.ec2.deprecateImage("us-east-1", image.imageId, new Date(twoYears));
  await assert.rejects(cloud.ports.ec2.deprecateImage("us-east-1", image.imageId, new Date(twoYears + 60_000)), /at most 2 years after its creation/);
});

test("pre-flight refuses a recipe whose artifact prefix would share a private area of the bucket (a recipe named `logs`)", async () => {
  const cloud = createFakeCloud({ regions: ["us-east-1"] });
  const recipe = { ...makeRecipe({ regions: ["us-east-1"], publish: { visibility: "public" } }), name: "logs" };
  const result = await runPreflight({ recipe, sourceRegion: "us-east-1", amiName: "logs-0.1.0-x", buildId: "x" }, startCloudRun(cloud.ports));
  assert.deepEqual(result.ok ? [] : result.problems.map((p) => p.code), ["artifact-prefix"]);
});
