// What the go page and the templates say about capacity: the figures measured per machine (dsl/measured-capacity.json,
// written by the benchmarks) with where and when each came from, and the recipe's own target beside them.
import type { Recipe } from "../../dsl/resolve.ts";
import {
  capacityFigureLabels,
  describeMeasuredFigure,
  everyCallTranscodes,
  findCallCapacity,
  measuredCapacity,
  type CapacityFigureName,
  type MeasuredCapacity,
} from "../../dsl/measured-capacity.ts";

/** One row of the go page's capacity table. */
export interface CapacityRow {
  machine: string;
  figure: string;
  value: string;
  source: string;
}

// Every measured figure, then the recipe's target; "≥" marks a value below which every run was clean (no limit found).
export function listCapacityRows(recipe: Recipe, capacity: MeasuredCapacity = measuredCapacity): CapacityRow[] {
  const measured = capacity.configurations.flatMap((configuration) =>
    (Object.keys(capacityFigureLabels) as CapacityFigureName[]).flatMap((name) => {
      const figure = configuration.figures[name];
      if (!figure) return [];
      return [
        {
          machine: configuration.machine,
          figure: capacityFigureLabels[name],
          value: `${figure.limitFound ? "" : "≥ "}${figure.value}`,
          source: `measured ${figure.measuredAt.slice(0, 10)} by ${figure.command} (load average ${figure.loadAverage.toFixed(1)}), docs/PERFORMANCE.md`,
        },
      ];
    }),
  );
  return [
    ...measured,
    {
      machine: "this recipe",
      figure: "parallel calls per instance (target)",
      value: String(recipe.gateway.capacity.parallelCalls),
      source: "gateway.capacity.parallelCalls",
    },
  ];
}

// The InstanceType parameter's description: the default, what one instance was measured to carry and when, and the target.
export function describeInstanceSize(recipe: Recipe, capacity: MeasuredCapacity = measuredCapacity): string {
  const calls = findCallCapacity(capacity, { transcoding: everyCallTranscodes(recipe.gateway.rules.codecs) });
  const measured = calls
    ? ` One instance was measured at ${describeMeasuredFigure(calls.name, calls.figure, calls.configuration)}.`
    : " No capacity measured yet (docs/PERFORMANCE.md).";
  return `EC2 instance type.${measured} This recipe targets ${recipe.gateway.capacity.parallelCalls} calls per instance; for more, choose more vCPUs or the cluster template.`;
}
