// A CloudWatch metric alarm on EC2 CPUUtilization, evaluated over a simulated load, so that a test can check what the
// cluster template's alarms do rather than what they say.
//
// The model (CloudWatch's documented behaviour, simplified where the templates do not go):
// - An instance sends one CPUUtilization data point per monitoring interval: 60 s with detailed monitoring
//   (LaunchTemplateData.Monitoring.Enabled), 300 s without. The point is the average load over that interval.
// - The alarm groups the points into periods of `Period` seconds and takes their Average; a period with no point is missing.
// - At the end of each period it looks at the last `EvaluationPeriods` periods and is in ALARM when at least
//   `DatapointsToAlarm` (default: EvaluationPeriods) of them breach. A missing period does not breach unless
//   TreatMissingData is "breaching" (with the default "missing", CloudWatch never counts it as breaching).

/** The alarm's properties as a template writes them. */
export interface CpuAlarm {
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  Statistic: string;
  TreatMissingData?: "breaching" | "notBreaching" | "ignore" | "missing";
}

const breaches = (alarm: CpuAlarm, value: number) =>
  alarm.ComparisonOperator === "GreaterThanThreshold"
    ? value > alarm.Threshold
    : alarm.ComparisonOperator === "GreaterThanOrEqualToThreshold"
      ? value >= alarm.Threshold
      : alarm.ComparisonOperator === "LessThanThreshold"
        ? value < alarm.Threshold
        : value <= alarm.Threshold;

// The first time (seconds from the start) the alarm is in ALARM under the load (percent CPU at each second), or undefined
// when it never is within `durationSeconds`.
export function firstAlarmTime(
  alarm: CpuAlarm,
  monitoringIntervalSeconds: number,
  load: (second: number) => number,
  durationSeconds: number,
): number | undefined {
  if (alarm.Statistic !== "Average") throw new Error(`the model averages; the alarm uses ${alarm.Statistic}`);
  const points: { at: number; value: number }[] = [];
  for (let start = 0; start + monitoringIntervalSeconds <= durationSeconds; start += monitoringIntervalSeconds) {
    let sum = 0;
    for (let s = start; s < start + monitoringIntervalSeconds; s++) sum += load(s);
    points.push({ at: start, value: sum / monitoringIntervalSeconds });
  }
  const periods: (number | undefined)[] = [];
  const needed = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods;
  for (let end = alarm.Period; end <= durationSeconds; end += alarm.Period) {
    const inPeriod = points.filter((p) => p.at >= end - alarm.Period && p.at < end).map((p) => p.value);
    periods.push(inPeriod.length ? inPeriod.reduce((a, b) => a + b, 0) / inPeriod.length : undefined);
    const window = periods.slice(-alarm.EvaluationPeriods);
    if (window.length < alarm.EvaluationPeriods) continue;
    const breaching = window.filter((v) => (v === undefined ? alarm.TreatMissingData === "breaching" : breaches(alarm, v))).length;
    if (breaching >= needed) return end;
  }
  return undefined;
}
