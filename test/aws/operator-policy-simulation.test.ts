// The operator policy of docs/AWS-PERMISSIONS.md, evaluated by a real IAM policy simulator for every request the code makes
// through real SDK clients (test/fakes/aws/iam-authorizer.ts): sufficient for everything rtcgw does on AWS (two builds
// and publishes, a build from the tested disk, public and shared, a build killed mid-way and swept, a build interrupted and cleaned up, retire), and
// minimal (without any one of its statements, some of those requests is denied).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { buildAwsImage } from "../../image/builders/aws/build-aws-image.ts";
import { buildFromDisk } from "../../image/builders/aws/build-from-disk.ts";
import { CloudError, type CloudPorts } from "../../cloud/ports.ts";
import { createSdkPorts } from "../../cloud/sdk/create-sdk-ports.ts";
import { publishImage } from "../../regions/publish-image.ts";
import { retire } from "../../regions/retire.ts";
import { sweep } from "../../regions/sweep.ts";
import { runPreflight } from "../../cloud/preflight.ts";
import { createFakeCloud, type FakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { addSubnet } from "../fakes/aws/fake-network.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { createIamAuthorizer, evaluateIamRequest, type IamAuthorizer } from "../fakes/aws/iam-authorizer.ts";
import { iamRequestsByOperation, type IamRequest } from "../fakes/aws/iam-requests.ts";
import { accessKeys, operatorPrincipal, readDocumentedPolicy, type PolicyDocument } from "./documented-policies.ts";
import { makeRecipe, tempJournalPath, testBundle } from "./fixtures.ts";
import { makeSparseDisk } from "./sparse-disk.ts";
import { startCloudRun } from "../../cloud/cloud-run.ts";

const regions = ["us-east-1", "eu-west-1"];
const bucket = "rtcgw-111122223333-us-east-1";
const shareWith = "444455556666";

// A fake cloud behind an endpoint that evaluates the given operator policy, and SDK ports signed with the operator's key.
async function startAuthorizedCloud(
  policy?: PolicyDocument,
): Promise<{ cloud: FakeCloud; endpoint: FakeEndpoint; authorizer: IamAuthorizer; ports: CloudPorts }> {
  const cloud = createFakeCloud({ regions });
  const authorizer = createIamAuthorizer({ [accessKeys.operator]: operatorPrincipal(policy) });
  const endpoint = await startFakeEndpoint(cloud, { authorizer });
  const sdk = createSdkPorts({
    region: "us-east-1",
    endpoint: endpoint.url,
    credentials: { accessKeyId: accessKeys.operator, secretAccessKey: "fake" },
    maxAttempts: 2,
  });
  return { cloud, endpoint, authorizer, ports: { ...sdk, clock: cloud.clock } };
}

const recipeOf = (version: string, visibility: unknown, subnetId?: string) => ({
  ...makeRecipe({ regions, publish: { visibility }, ...(subnetId ? { image: { builder: { instanceType: "t3.small", subnetId } } } : {}) }),
  version,
});

async function buildAndPublish(ports: CloudPorts, version: string, visibility: unknown, subnetId?: string) {
  const recipe = recipeOf(version, visibility, subnetId);
  const journalPath = tempJournalPath();
  const built = await buildAwsImage({ recipe, bundle: testBundle, region: "us-east-1", journalPath }, ports);
  assert.equal(built.kind, "built", `${version}: ${JSON.stringify(built)}`);
  assert.deepEqual(built.ok && built.cleanupProblems, []);
  const options = { recipe, buildId: built.buildId, sourceRegion: "us-east-1", sourceImageId: built.ok ? built.imageId : "", journalPath };
  const published = await publishImage(options, ports);
  assert.equal(published.kind, "published", `${version}: ${JSON.stringify(published)}`);
  return options;
}

let run: Awaited<ReturnType<typeof startAuthorizedCloud>>;
before(async () => (run = await startAuthorizedCloud()));
after(() => run.endpoint.close());

test("the documented operator policy allows every request of two builds and publishes, a killed build and its sweep, an interrupted build and retire", async (t) => {
  const { cloud, ports, authorizer, endpoint } = run;
  await buildAndPublish(ports, "0.1.0", "public");
  // Someone removed the bucket's tags and expiry rules: the next build puts them back.
  Object.assign(cloud.state.buckets.get(bucket)!, { tags: {}, expiry: [] });
  const subnet = addSubnet(cloud.context, "us-east-1", { mapPublicIpOnLaunch: true }); // the second build runs in a subnet of its own VPC
  const shared = await buildAndPublish(ports, "0.2.0", { accounts: [shareWith] }, subnet.subnetId);
  const latest = shared.recipe;
  for (const region of regions)
    assert.deepEqual(
      cloud.listOwnImages(region).map((i) => [i.name.split("-")[1], i.public, i.launchAccounts]),
      [
        ["0.1.0", true, []],
        ["0.2.0", false, [shareWith]],
      ],
      region,
    );

  // Killed (as by kill -9) when the smoke test starts: every call fails from then on, so the build cannot clean up.
  let killed = false;
  cloud.faults.onCall = (operation) => {
    if (operation === "SendCommand" && cloud.state.commands.length === 5) killed = true; // builds 1 and 2 ran 2 commands each, this one its provisioning
    if (killed) throw new CloudError("ProcessKilled", "the operator's process is gone");
  };
  const crashed = await buildAwsImage({ recipe: recipeOf("0.3.0", "private"), bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, ports);
  cloud.faults.onCall = undefined;
  assert.equal(crashed.kind, "failed", JSON.stringify(crashed));
  const left = cloud.listLeftovers();
  assert.ok(
    left.some((l) => l.startsWith("instance")) && left.some((l) => l.startsWith("role")) && left.some((l) => l.startsWith("staging object")),
    left.join("\n"),
  );
  // A role as builds of earlier versions left them: with an inline policy (the operator policy may delete but not write one).
  const role = cloud.state.roles.find((r) => !r.deleted)!;
  role.inlinePolicies["rtcgw-command-output"] = JSON.stringify({ Version: "2012-10-17", Statement: [] });
  const swept = await sweep({ regions, stagingBucket: bucket, stagingRegion: "us-east-1" }, ports);
  assert.deepEqual([swept.ok, swept.problems], [true, []]);
  assert.deepEqual([...new Set(swept.found.map((f) => f.kind))].sort(), [
    "candidate-image",
    "instance",
    "instance-profile",
    "role",
    "s3-object",
    "security-group",
  ]);
  assert.deepEqual(cloud.listLeftovers(), []);

  // Interrupted (Ctrl-C) while the provisioning command runs: the build cancels the command and removes what it made.
  const controller = new AbortController();
  cloud.faults.onCall = (operation) => operation === "GetCommandInvocation" && controller.abort();
  const servedBefore = endpoint.served.length;
  const aborted = await buildAwsImage(
    { recipe: recipeOf("0.4.0", "private"), bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() },
    ports,
    controller.signal,
  );
  cloud.faults.onCall = undefined;
  assert.equal(aborted.kind, "aborted", JSON.stringify(aborted));
  assert.ok(endpoint.served.slice(servedBefore).includes("CancelCommand"));
  assert.deepEqual(cloud.listLeftovers(), []);

  // Published again as private: the artifacts' bucket policy goes.
  const again = await publishImage({ ...shared, recipe: { ...latest, publish: { ...latest.publish, visibility: "private" } } }, ports);
  assert.equal(again.kind, "published", JSON.stringify(again));
  assert.equal(cloud.state.buckets.get(bucket)!.policy, undefined);
  cloud.state.launchTemplateImageIds.set("eu-west-1", [cloud.listOwnImages("eu-west-1").find((i) => i.name.includes("0.2.0"))!.imageId]);
  const retired = await retire({ recipe: latest, keep: 1, regions }, ports);
  assert.equal(retired.ok, true, JSON.stringify(retired));
  for (const region of regions)
    assert.deepEqual(
      cloud.listOwnImages(region).map((i) => i.name.split("-")[1]),
      ["0.2.0"],
      region,
    );
  const gone = cloud.state.images.filter((i) => i.deregistered).flatMap((i) => i.snapshotIds);
  assert.equal(gone.length, 3, "two retired images and a swept candidate");
  assert.deepEqual(
    cloud.state.snapshots.filter((s) => gone.includes(s.snapshotId) && !s.deleted),
    [],
    "their snapshots are deleted",
  );

  // The default builder: the tested disk through the EBS direct APIs, RegisterImage, a smoke instance reached from outside.
  const sparse = makeSparseDisk({ sizeBytes: 4 * 1024 * 1024, dataBlocks: [0, 3] });
  const fromDisk = await buildFromDisk(
    {
      recipe: recipeOf("0.5.0", "private"),
      disk: { path: sparse.zst, sha256: sparse.sha256, logicalBytes: sparse.logicalBytes, bundleHash: "0123456789abcdef" },
      region: "us-east-1",
      journalPath: tempJournalPath(),
    },
    ports,
    cloud.probe,
  );
  assert.equal(fromDisk.kind, "built", JSON.stringify(fromDisk));
  assert.deepEqual(cloud.listLeftovers(), []);

  const denied = authorizer.records.filter((r) => !r.allowed).map((r) => `${r.operation}: ${r.request.action} on ${r.request.resource}`);
  assert.deepEqual(denied, []);
  const ignored = [
    ...new Set(
      authorizer.records
        .filter((r) => r.ignoredKeys.length)
        .map((r) => `${r.request.action} on ${r.request.resource.replace(/\/[^/]*$/, "/…")}: ${r.ignoredKeys.join(", ")}`),
    ),
  ];
  assert.deepEqual(ignored, [], "iam-requests.ts gives context keys the Service Authorization Reference does not list for these actions");
  assert.ok(authorizer.records.length > 300, `${authorizer.records.length} authorizations`);
  const exercised = new Set(authorizer.records.map((r) => r.operation));
  t.diagnostic(
    `${authorizer.records.length} authorizations, ${exercised.size} operations; rows not exercised here: ${Object.keys(iamRequestsByOperation)
      .filter((o) => !exercised.has(o) && o !== "sts:GetCallerIdentity")
      .join(", ")}`,
  );
});

// The distinct requests of the run above, with one operation that made each.
function distinctRequests(records: IamAuthorizer["records"]): { request: IamRequest; operation: string }[] {
  const byKey = new Map<string, { request: IamRequest; operation: string }>();
  for (const r of records)
    byKey.set(JSON.stringify([r.request.action, r.request.resource, Object.entries(r.request.context).sort()]), { request: r.request, operation: r.operation });
  return [...byKey.values()];
}

test("the documented operator policy is minimal: without any one of its statements, some request of that run is denied", async (t) => {
  const policy = readDocumentedPolicy("operator");
  const requests = distinctRequests(run.authorizer.records);
  assert.ok(requests.length > 50, `${requests.length} distinct requests`);
  const unneeded: string[] = [];
  for (const statement of policy.Statement) {
    const without = operatorPrincipal({ ...policy, Statement: policy.Statement.filter((s) => s !== statement) });
    let deniedOne: string | undefined;
    for (const { request, operation } of requests) {
      if (!(await evaluateIamRequest(without, "111122223333", request)).allowed) {
        deniedOne = `${operation} (${request.action} on ${request.resource})`;
        break;
      }
    }
    if (!deniedOne) unneeded.push(statement.Sid);
    else t.diagnostic(`without ${statement.Sid}: ${deniedOne} is denied`);
  }
  assert.deepEqual(unneeded, [], "statements no request of the run needs");
});

test("without tag-on-create, the build stops at its first tagged create with EC2's UnauthorizedOperation and leaves nothing", async () => {
  const policy = readDocumentedPolicy("operator");
  const { cloud, ports, endpoint } = await startAuthorizedCloud({ ...policy, Statement: policy.Statement.filter((s) => s.Sid !== "TagOnlyWhenCreating") });
  try {
    const built = await buildAwsImage({ recipe: recipeOf("0.1.0", "private"), bundle: testBundle, region: "us-east-1", journalPath: tempJournalPath() }, ports);
    assert.equal(built.kind, "failed", JSON.stringify(built));
    assert.match(
      built.kind === "failed" ? built.error : "",
      /UnauthorizedOperation: User: arn:aws:iam::111122223333:user\/builder is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:us-east-1:111122223333:security-group\/\*/,
    );
    assert.equal(built.kind === "failed" && built.step, "security-group");
    assert.deepEqual(cloud.listLeftovers(), []);
  } finally {
    await endpoint.close();
  }
});

test("a policy gap is a failing test: the policy before EBS encryption checks makes a public publish's pre-flight fail with AccessDenied, per region", async () => {
  const policy = readDocumentedPolicy("operator");
  const older = {
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action).filter((a) => !a.startsWith("ec2:GetEbs")) })),
  };
  const { ports, endpoint } = await startAuthorizedCloud(older);
  try {
    const result = await runPreflight(
      { recipe: recipeOf("0.1.0", "public"), sourceRegion: "us-east-1", amiName: "rtcgw-0.1.0-x", buildId: "x" },
      startCloudRun(ports),
    );
    assert.equal(result.ok, false);
    const problems = result.ok ? [] : result.problems;
    assert.deepEqual(
      problems.map((p) => [p.region, p.code]),
      regions.map((r) => [r, "cloud-error"]),
    );
    assert.match(problems[0]!.message, /cannot read EBS encryption by default: UnauthorizedOperation: .*ec2:GetEbs/);
  } finally {
    await endpoint.close();
  }
});
