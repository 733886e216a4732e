// The appliance's instance role (the templates' inline `rtcgw-agent` policy, regions/artifacts/instance-role-policy.ts, and
// the same policy as docs/AWS-PERMISSIONS.md documents it) against the agent's real AWS calls, made by the agent's own code
// with real SDK clients through the fake endpoint, evaluated by the IAM policy simulator: the license read (decrypted, under
// a customer managed key) and the call metrics are allowed in the stack's region, nothing else is, and each statement is needed.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { compileAgentConfig } from "../../gateway/agent/agent-config.ts";
import { readLicenseParameter } from "../../gateway/agent/license/read-license-parameter.ts";
import { startCallMetrics } from "../../gateway/agent/metrics/publish-call-metrics.ts";
import { createFakeCloud } from "../fakes/aws/create-fake-cloud.ts";
import { startFakeEndpoint, type FakeEndpoint } from "../fakes/aws/http-endpoint.ts";
import { createIamAuthorizer, evaluateIamRequest, type FakePrincipal, type IamAuthorizer } from "../fakes/aws/iam-authorizer.ts";
import { appliancePrincipal, readDocumentedPolicy } from "./documented-policies.ts";
import { makeRecipe } from "./fixtures.ts";

const region = "eu-central-1";
const recipe = makeRecipe({ regions: [region, "us-east-1"] });
const config = compileAgentConfig(recipe, "");
const keys = { template: "ASIATEMPLATEROLEFAKE", documented: "ASIADOCUMENTEDROLEFK", noMetrics: "ASIANOMETRICSROLEFAK" };
const credentials = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: "fake" });
const principals: Record<string, FakePrincipal> = {
  [keys.template]: appliancePrincipal(recipe, region),
  [keys.documented]: appliancePrincipal(recipe, region, "111122223333", readDocumentedPolicy("appliance")),
  [keys.noMetrics]: appliancePrincipal(makeRecipe({ gateway: { metrics: false } }), region),
};
const cloud = createFakeCloud({ regions: [region, "us-east-1"] });
let endpoint: FakeEndpoint;
let authorizer: IamAuthorizer;

before(async () => {
  // The license as a SecureString under a customer managed key, in both regions.
  for (const r of [region, "us-east-1"])
    cloud.state.parameters.set(`${r}:${config.license.parameter}`, {
      value: "LICENSE-TEXT",
      dataType: "text",
      version: 1,
      kmsKeyId: "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
    });
  cloud.state.parameters.set(`${region}:/rtcgw/latest`, { value: "ami-0123456789abcdef0", dataType: "aws:ec2:image", version: 1 });
  authorizer = createIamAuthorizer(principals);
  endpoint = await startFakeEndpoint(cloud, { authorizer });
});
after(() => endpoint.close());

const readLicense = (accessKeyId: string, name = config.license.parameter, where = region) =>
  readLicenseParameter({ region: where, name, endpoint: endpoint.url, credentials: credentials(accessKeyId) });
async function publishMetrics(accessKeyId: string, namespace = config.metrics.namespace): Promise<string[]> {
  const lines: string[] = [];
  const metrics = startCallMetrics({
    namespace,
    region,
    gateway: recipe.name,
    instanceId: "i-0123456789abcdef0",
    read: async () => ({ activeCalls: 3, registrations: 5 }),
    intervalMs: 60_000,
    endpoint: endpoint.url,
    credentials: credentials(accessKeyId),
    log: (line) => lines.push(line),
  });
  await metrics.publishOnce();
  metrics.stop();
  return lines;
}
const isDenied = (e: unknown) => (e as { name?: string }).name === "AccessDeniedException";

test("the instance role reads the license (decrypting it through SSM) and publishes call metrics in its stack's region, as the templates and the doc say", async () => {
  for (const key of [keys.template, keys.documented]) {
    assert.equal(await readLicense(key), "LICENSE-TEXT");
    const before = cloud.state.metricData.length;
    assert.deepEqual(await publishMetrics(key), []);
    assert.deepEqual(cloud.state.metricData.slice(before), [
      { region, namespace: "rtcgw", names: ["ActiveCalls", "Registrations", "ActiveCalls", "Registrations"] },
    ]);
  }
  const decrypts = authorizer.records.filter((r) => r.request.action === "kms:Decrypt");
  assert.ok(decrypts.length === 2 && decrypts.every((r) => r.allowed && r.request.context["kms:ViaService"] === `ssm.${region}.amazonaws.com`));
});

test("nothing else: another parameter, another region, another namespace, and metrics when the recipe turns them off", async () => {
  await assert.rejects(readLicense(keys.template, "/rtcgw/latest"), isDenied, "the AMI-id parameter is not the appliance's");
  await assert.rejects(readLicense(keys.template, config.license.parameter, "us-east-1"), isDenied, "a stack's role reads its own region's license");
  const before = cloud.state.metricData.length;
  assert.match((await publishMetrics(keys.template, "other")).join("\n"), /CloudWatch metrics not published: AccessDenied/);
  assert.match((await publishMetrics(keys.noMetrics)).join("\n"), /CloudWatch metrics not published: AccessDenied/);
  assert.equal(cloud.state.metricData.length, before);
  assert.equal(await readLicense(keys.noMetrics), "LICENSE-TEXT", "the license is read either way");
});

test("every statement of the instance role's policy is needed by one of the agent's calls", async () => {
  const allowed = authorizer.records.filter((r) => r.allowed);
  const policy = principals[keys.template]!.policies[0]!.policy as { Version: string; Statement: { Sid: string }[] };
  const unneeded: string[] = [];
  for (const statement of policy.Statement) {
    const without: FakePrincipal = {
      ...principals[keys.template]!,
      policies: [{ name: "rtcgw-agent", policy: { ...policy, Statement: policy.Statement.filter((s) => s !== statement) } }],
    };
    const denied = await Promise.all(allowed.map(async (r) => !(await evaluateIamRequest(without, cloud.state.accountId, r.request)).allowed));
    if (!denied.some(Boolean)) unneeded.push(statement.Sid);
  }
  assert.deepEqual(
    policy.Statement.map((s) => s.Sid),
    ["ReadLicenseParameter", "DecryptLicenseParameter", "PublishCallMetrics"],
  );
  assert.deepEqual(unneeded, []);
});
