// Issue 14, defect 8: RunInstances retries only the one InvalidParameterValue that goes away by itself (a fresh instance
// profile IAM has not propagated yet); any other is permanent and fails the launch at once, naming the region and parameter.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";

const regions = ["us-east-1", "eu-central-1"];

test("an instance type of the other architecture (t3.small for an arm64 image) fails the launch at once with a clear error, and leaves nothing", async () => {
  const cloud = createFakeCloud({ regions });
  // `check` refuses this recipe; a recipe object built in code does not go through check.
  const base = makeRecipe({ regions });
  const recipe = { ...base, image: { ...base.image, arch: "arm64" as const, builder: { ...base.image.builder, instanceType: "t3.small" } } };
  let launches = 0;
  cloud.faults.onCall = (operation) => void (operation === "RunInstances" && launches++);
  const started = cloud.clock.now();
  const result = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "failed", JSON.stringify(result));
  assert.equal(result.kind === "failed" && result.step, "launch");
  assert.equal(launches, 1, "a permanent error is not retried");
  assert.ok(cloud.clock.now() - started < 5 * 60_000, `failed after ${(cloud.clock.now() - started) / 1000} s of virtual time, not after the retry budget`);
  const error = result.kind === "failed" ? result.error : "";
  assert.match(error, /us-east-1/);
  assert.match(error, /instanceType/);
  assert.match(error, /t3\.small/);
  assert.match(error, /image\.builder\.instanceType/, "says which recipe field to fix");
  assert.deepEqual(cloud.listLeftovers(), []);
});

test("the instance profile's propagation delay (EC2's own message) is still retried until IAM has it", async () => {
  const cloud = createFakeCloud({ regions, faults: { profileInvisibleMs: 40_000 } });
  let refused = 0;
  const runInstance = cloud.ports.ec2.runInstance.bind(cloud.ports.ec2);
  cloud.ports.ec2.runInstance = async (region, input) =>
    runInstance(region, input).catch((error: Error) => {
      if (/iamInstanceProfile\.name is invalid\. Invalid IAM Instance Profile name/.test(error.message)) refused++;
      throw error;
    });
  const result = await buildAwsImage({ recipe: makeRecipe({ regions }), bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, cloud.ports);
  assert.equal(result.kind, "built", JSON.stringify(result));
  assert.ok(refused > 0, "EC2 refused the fresh profile with its propagation message at first");
});
