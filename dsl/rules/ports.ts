import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { formatPortRange } from "../units.ts";
import { listApplianceListeners, type ApplianceListener } from "../appliance-ports.ts";

// Two listeners of the same protocol must not share a port, internal ones included (Kamailio would fail to bind).
export function checkPortOverlaps(recipe: Recipe): Problem[] {
  const listeners = listApplianceListeners(recipe);
  const problems: Problem[] = [];
  listeners.forEach((later, j) => {
    if (later.exposure === "internal") return;
    const overlaps = (l: ApplianceListener) => l.protocol === later.protocol && l.range.from <= later.range.to && later.range.from <= l.range.to;
    // Reported against an earlier listener, or against an internal one (which has no place in the recipe).
    const other = listeners.slice(0, j).find(overlaps) ?? listeners.find((l) => l.exposure === "internal" && overlaps(l));
    if (!other) return;
    problems.push(problemAt(later.segments, `${describe(later)} overlaps ${describe(other)}${where(other)}: give each listener its own ports`));
  });
  return problems;
}

function describe(listener: ApplianceListener): string {
  return `${listener.label} ${formatPortRange(listener.range)}/${listener.protocol}`;
}

function where(listener: ApplianceListener): string {
  return listener.exposure === "internal" ? " (internal, used by the appliance itself)" : ` (${listener.segments.join(".")})`;
}
