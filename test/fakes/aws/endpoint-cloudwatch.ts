// CloudWatch (AWS JSON 1.0, signing name `monitoring`) for the appliance's metrics: PutMetricData is recorded in the fake's state.
import type { FakeCloud } from "./create-fake-cloud.ts";

type Json = Record<string, unknown>;

// Answers one CloudWatch action, or undefined when the endpoint does not implement it.
export async function handleCloudWatch(cloud: FakeCloud, action: string, region: string, input: Json): Promise<string | undefined> {
  if (action !== "PutMetricData") return undefined;
  cloud.context.enter("PutMetricData", region);
  const names = ((input.MetricData ?? []) as { MetricName?: string }[]).map((d) => String(d.MetricName));
  cloud.state.metricData.push({ region, namespace: String(input.Namespace), names });
  return "{}";
}
