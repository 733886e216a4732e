import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { startFakeImds } from "../fakes/imds.ts";
import { agentConfigFor, loadRecipe, makeRoot, vendorKeys, startSsm } from "./agent-helpers.ts";
import { generateLicenseKeys, issueLicense, verifyLicense, type LicenseTerms } from "../../gateway/agent/license/license-document.ts";
import { resolveLimits } from "../../gateway/agent/license/resolve-limits.ts";
import { runFirstBoot } from "../../gateway/agent/firstboot/run-first-boot.ts";
import { runtimePaths } from "../../gateway/agent/contract.ts";

const now = new Date("2026-11-25T12:00:00Z");
const terms: LicenseTerms = {
  licensee: "Example GmbH",
  maxCallSeconds: 3600,
  maxParallelCalls: 100,
  expires: "2027-11-25T00:00:00Z",
  issued: "2026-11-25T00:00:00Z",
};
// A recipe without a duration rule (as the default one), so the license decides the call duration.
const recipe = loadRecipe((input) => {
  input.gateway.rules = input.gateway.rules.filter((rule: { kind: string }) => rule.kind !== "max-call-duration");
});

async function bootWith(parameter: string | undefined, region = "us-east-1") {
  const [imds, ssm, root] = await Promise.all([
    startFakeImds({ instanceId: "i-0123456789abcdef0", region: "us-east-1", localIpv4: "10.0.0.5" }),
    startSsm(parameter === undefined ? {} : { [`${region}:/rtcgw/license`]: parameter }),
    makeRoot(),
  ]);
  try {
    const report = await runFirstBoot({
      root,
      config: agentConfigFor(recipe),
      imdsEndpoint: imds.endpoint,
      ssmEndpoint: ssm.endpoint,
      ssmCredentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      now: () => now,
      log: () => {},
    });
    const env = await readFile(join(root, runtimePaths.runtimeEnv), "utf8");
    const state = JSON.parse(await readFile(join(root, runtimePaths.licenseState), "utf8")) as { verdict: { status: string } };
    return { report, env, state };
  } finally {
    await Promise.all([imds.close(), ssm.close(), rm(root, { recursive: true, force: true })]);
  }
}

test("a valid license from SSM sets its limits for Kamailio and rtpengine", async () => {
  const { report, env, state } = await bootWith(issueLicense(terms, vendorKeys.privateKeyPem));
  assert.equal(report.verdict, "valid");
  assert.equal(state.verdict.status, "valid");
  assert.match(env, /^RTCGW_LICENSE_MODE=licensed$/m);
  assert.match(env, /^RTCGW_MAX_CALL_SECONDS=3600$/m);
  assert.match(env, /^RTCGW_MAX_PARALLEL_CALLS=100$/m);
});

test("an expired license means demo mode: 90 s calls", async () => {
  const { report, env } = await bootWith(issueLicense({ ...terms, expires: "2026-11-01T00:00:00Z" }, vendorKeys.privateKeyPem));
  assert.equal(report.verdict, "expired");
  assert.match(env, /^RTCGW_LICENSE_MODE=demo$/m);
  assert.match(env, /^RTCGW_MAX_CALL_SECONDS=90$/m);
  assert.match(env, /^RTCGW_MAX_PARALLEL_CALLS=250$/m);
});

test("a license signed by another key means demo mode", async () => {
  const { report, env } = await bootWith(issueLicense(terms, generateLicenseKeys().privateKeyPem));
  assert.equal(report.verdict, "invalid");
  assert.match(env, /^RTCGW_MAX_CALL_SECONDS=90$/m);
});

test("a missing parameter means demo mode", async () => {
  const { report, env } = await bootWith(undefined);
  assert.equal(report.verdict, "missing");
  assert.match(env, /^RTCGW_MAX_CALL_SECONDS=90$/m);
});

test("the license is read in the instance's own region", async () => {
  const { report } = await bootWith(issueLicense(terms, vendorKeys.privateKeyPem), "eu-central-1");
  assert.equal(report.verdict, "missing");
});

test("altered terms, garbage and empty text are refused; a license never raises the recipe's own limits", () => {
  const license = issueLicense(terms, vendorKeys.privateKeyPem);
  const [head, , signature] = license.split(".");
  const richer = Buffer.from(JSON.stringify({ ...terms, maxParallelCalls: 100000 })).toString("base64url");
  assert.equal(verifyLicense(`${head}.${richer}.${signature}`, vendorKeys.publicKeyPem, now).status, "invalid");
  assert.equal(verifyLicense("hello", vendorKeys.publicKeyPem, now).status, "invalid");
  assert.equal(verifyLicense("  ", vendorKeys.publicKeyPem, now).status, "missing");
  const generous = resolveLimits(
    { maxCallSeconds: 600, parallelCalls: 250 },
    { status: "valid", terms: { ...terms, maxCallSeconds: null, maxParallelCalls: 100000 } },
  );
  assert.deepEqual([generous.mode, generous.maxCallSeconds, generous.maxParallelCalls], ["licensed", 600, 250]);
  assert.throws(() => issueLicense({ ...terms, licensee: "a\nb" }, vendorKeys.privateKeyPem), /licensee/);
});
