import { test } from "node:test";
import assert from "node:assert/strict";
import type { MeasuredCapacity } from "../../dsl/measured-capacity.ts";
import { describeInstanceSize, listCapacityRows } from "../../regions/artifacts/capacity-advice.ts";
import { renderSingleInstanceTemplate } from "../../regions/artifacts/single-instance-template.ts";
import { renderClusterTemplate } from "../../regions/artifacts/cluster-template.ts";
import { renderGoPage } from "../../regions/artifacts/render-go-page.ts";
import { buildTestRecipe } from "../harness/gateway-config.ts";

const measured: MeasuredCapacity = {
  configurations: [
    {
      machine: "2 cores (test CPU), load generator on the same machine, loopback",
      cores: 2,
      figures: {
        webrtcCalls: { value: 400, limitFound: true, measuredAt: "2026-12-02T10:00:00Z", command: "npx tsx bench/webrtc.ts", loadAverage: 0.5 },
        signallingCps: { value: 2000, limitFound: false, measuredAt: "2026-12-02T10:10:00Z", command: "npx tsx bench/gateway.ts", loadAverage: 0.9 },
      },
    },
  ],
};

test("the go page lists each measured figure with its machine, date, command and load, then the recipe's target", () => {
  const recipe = buildTestRecipe((r) => (r.gateway.capacity = { parallelCalls: 200 }));
  assert.deepEqual(listCapacityRows(recipe, measured), [
    {
      machine: "2 cores (test CPU), load generator on the same machine, loopback",
      figure: "parallel WebRTC-leg calls (ICE, DTLS-SRTP, PCMU)",
      value: "400",
      source: "measured 2026-12-02 by npx tsx bench/webrtc.ts (load average 0.5), docs/PERFORMANCE.md",
    },
    {
      machine: "2 cores (test CPU), load generator on the same machine, loopback",
      figure: "calls per second, signalling only",
      value: "≥ 2000",
      source: "measured 2026-12-02 by npx tsx bench/gateway.ts (load average 0.9), docs/PERFORMANCE.md",
    },
    { machine: "this recipe", figure: "parallel calls per instance (target)", value: "200", source: "gateway.capacity.parallelCalls" },
  ]);
  const html = renderGoPage({
    recipe,
    buildId: "b".repeat(40),
    owner: "111122223333",
    regions: [],
    templateUrls: { single: "https://x/s", cluster: "https://x/c" },
    capacity: listCapacityRows(recipe, measured),
  });
  assert.match(
    html,
    /<tr><td>2 cores \(test CPU\), load generator on the same machine, loopback<\/td><td>calls per second, signalling only<\/td><td>≥ 2000<\/td><td>measured 2026-12-02 by npx tsx bench\/gateway\.ts/,
  );
});

test("both templates' instance type advice quotes the measured calls per instance and the recipe's target", () => {
  const recipe = buildTestRecipe((r) => (r.gateway.capacity = { parallelCalls: 200 }));
  const advice = describeInstanceSize(recipe, measured);
  assert.equal(
    advice,
    "EC2 instance type. One instance was measured at 400 parallel WebRTC-leg calls (ICE, DTLS-SRTP, PCMU) on 2 cores, measured 2026-12-02 by `npx tsx bench/webrtc.ts` (load average 0.5). This recipe targets 200 calls per instance; for more, choose more vCPUs or the cluster template.",
  );
  assert.equal(
    describeInstanceSize(recipe, { configurations: [] }),
    "EC2 instance type. No capacity measured yet (docs/PERFORMANCE.md). This recipe targets 200 calls per instance; for more, choose more vCPUs or the cluster template.",
  );
  const transcoding = buildTestRecipe((r) => {
    r.gateway.capacity = { parallelCalls: 50 };
    r.gateway.rules = [{ kind: "codec-policy", webrtc: ["opus"], sip: ["PCMU"] }];
  });
  const withTranscoded = structuredClone(measured);
  withTranscoded.configurations[0]!.figures.transcodedCalls = {
    value: 60,
    limitFound: true,
    measuredAt: "2026-12-03T01:00:00Z",
    command: "npx tsx bench/webrtc.ts",
    loadAverage: 0.7,
  };
  assert.match(
    describeInstanceSize(transcoding, withTranscoded),
    /measured at 60 parallel WebRTC calls transcoded Opus ↔ PCMU on 2 cores/,
    "every call is transcoded: that figure applies",
  );
  const images = { "us-east-1": "ami-0123456789abcdef0" };
  for (const template of [renderSingleInstanceTemplate(recipe, images), renderClusterTemplate(recipe, images)] as any[]) {
    assert.equal(template.Parameters.InstanceType.Description, describeInstanceSize(recipe));
    assert.ok(template.Parameters.InstanceType.Description.length <= 4000, "CloudFormation limits a parameter description to 4000 characters");
  }
});
