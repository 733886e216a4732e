import type { MetricDatum } from "@aws-sdk/client-cloudwatch";

/** The numbers a cluster scales on. */
export interface CallCounts {
  activeCalls: number;
  registrations: number;
}

/** Where and how often to publish; `endpoint`/`credentials` for tests, the instance role otherwise. */
export interface CallMetricsOptions {
  namespace: string;
  region: string;
  /** Dimension `Gateway`: the recipe name, shared by every instance of a cluster. */
  gateway: string;
  instanceId: string;
  read: () => Promise<CallCounts>;
  intervalMs: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  log?: (line: string) => void;
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

// The data points for one reading (pure): per gateway (what a cluster's alarm averages) and per instance.
export function buildMetricData(counts: CallCounts, gateway: string, instanceId: string, timestamp: Date): MetricDatum[] {
  const dimensionSets = [
    [{ Name: "Gateway", Value: gateway }],
    [
      { Name: "Gateway", Value: gateway },
      { Name: "InstanceId", Value: instanceId },
    ],
  ];
  return dimensionSets.flatMap((Dimensions) => [
    { MetricName: "ActiveCalls", Value: counts.activeCalls, Unit: "Count", Timestamp: timestamp, Dimensions },
    { MetricName: "Registrations", Value: counts.registrations, Unit: "Count", Timestamp: timestamp, Dimensions },
  ]);
}

// Publishes call counts to CloudWatch every interval; a failed reading or call is logged and the next tick tries again.
// The SDK is loaded at the first publication, not at the agent's start (see read-license-parameter.ts).
export function startCallMetrics(options: CallMetricsOptions): { publishOnce(): Promise<void>; stop(): void } {
  let sdk: Promise<typeof import("@aws-sdk/client-cloudwatch")> | undefined;
  let client: Promise<import("@aws-sdk/client-cloudwatch").CloudWatchClient> | undefined;
  const connect = () => {
    sdk ??= import("@aws-sdk/client-cloudwatch");
    client ??= sdk.then(
      ({ CloudWatchClient }) =>
        new CloudWatchClient({
          region: options.region,
          maxAttempts: 2,
          ...(options.endpoint ? { endpoint: options.endpoint } : {}),
          ...(options.credentials ? { credentials: options.credentials } : {}),
        }),
    );
    return { sdk, client };
  };
  let lastError = "";
  const publishOnce = async () => {
    try {
      const counts = await options.read();
      const { PutMetricDataCommand } = await connect().sdk;
      await (
        await connect().client
      ).send(new PutMetricDataCommand({ Namespace: options.namespace, MetricData: buildMetricData(counts, options.gateway, options.instanceId, new Date()) }));
      if (lastError) options.log?.("CloudWatch metrics are published again");
      lastError = "";
    } catch (error) {
      const message = `CloudWatch metrics not published: ${(error as Error).name}: ${(error as Error).message}`;
      if (message !== lastError) options.log?.(message);
      lastError = message;
    }
  };
  const timer = (options.setInterval ?? setInterval)(() => void publishOnce(), options.intervalMs);
  if (typeof timer === "object" && "unref" in timer) timer.unref();
  return {
    publishOnce,
    stop: () => {
      (options.clearInterval ?? clearInterval)(timer);
      void client?.then((c) => c.destroy());
    },
  };
}
