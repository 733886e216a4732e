import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buildMetricData, startCallMetrics } from "../../gateway/agent/metrics/publish-call-metrics.ts";

// A CloudWatch stand-in (AWS JSON 1.0, what the real @aws-sdk/client-cloudwatch speaks): records PutMetricData
// calls and can be told to fail.
async function startFakeCloudWatch() {
  const calls: { target: string; region: string; body: any }[] = [];
  let failWith: string | undefined;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/monitoring\//.exec(String(req.headers.authorization))?.[1] ?? "";
      calls.push({ target: String(req.headers["x-amz-target"]), region, body: JSON.parse(body || "{}") });
      if (failWith)
        return res.writeHead(403, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: failWith, message: "not allowed" }));
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    fail: (type: string | undefined) => (failWith = type),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("metric data: active calls and registrations per gateway and per instance", () => {
  const at = new Date("2026-11-25T12:00:00Z");
  const data = buildMetricData({ activeCalls: 3, registrations: 7 }, "rtcgw", "i-0123456789abcdef0", at);
  assert.deepEqual(
    data.map((d) => [d.MetricName, d.Value, d.Dimensions!.map((x) => `${x.Name}=${x.Value}`).join(",")]),
    [
      ["ActiveCalls", 3, "Gateway=rtcgw"],
      ["Registrations", 7, "Gateway=rtcgw"],
      ["ActiveCalls", 3, "Gateway=rtcgw,InstanceId=i-0123456789abcdef0"],
      ["Registrations", 7, "Gateway=rtcgw,InstanceId=i-0123456789abcdef0"],
    ],
  );
});

test("call counts reach CloudWatch on every tick; a refused call is logged once and retried on the next tick", async (t) => {
  const cloudwatch = await startFakeCloudWatch();
  t.after(() => cloudwatch.close());
  let tick: () => void = () => {};
  const lines: string[] = [];
  let calls = 2;
  const metrics = startCallMetrics({
    namespace: "rtcgw",
    region: "eu-central-1",
    gateway: "rtcgw",
    instanceId: "i-0123456789abcdef0",
    read: async () => ({ activeCalls: calls, registrations: 5 }),
    intervalMs: 60_000,
    endpoint: cloudwatch.endpoint,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    log: (line) => lines.push(line),
    setInterval: ((fn: () => void) => ((tick = fn), 1)) as unknown as typeof setInterval,
    clearInterval: (() => {}) as typeof clearInterval,
  });
  t.after(() => metrics.stop());
  await metrics.publishOnce();
  assert.equal(cloudwatch.calls.length, 1);
  assert.equal(cloudwatch.calls[0]!.target, "GraniteServiceVersion20100801.PutMetricData");
  assert.equal(cloudwatch.calls[0]!.region, "eu-central-1");
  assert.equal(cloudwatch.calls[0]!.body.Namespace, "rtcgw");
  assert.equal(cloudwatch.calls[0]!.body.MetricData[0].Value, 2);

  cloudwatch.fail("AccessDeniedException");
  await metrics.publishOnce();
  await metrics.publishOnce();
  assert.equal(lines.filter((l) => l.includes("AccessDenied")).length, 1, lines.join("\n"));
  cloudwatch.fail(undefined);
  calls = 4;
  tick();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(cloudwatch.calls.at(-1)!.body.MetricData[0].Value, 4);
  assert.ok(lines.at(-1)!.includes("published again"));
});
