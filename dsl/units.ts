import { z } from "zod";
import { durationPattern, portRangePattern } from "./patterns.ts";

/** An inclusive range of ports. */
export interface PortRange {
  from: number;
  to: number;
}

const secondsPerUnit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 } as const;

// Parses "90s" / "5m" into seconds; undefined when the text is not a duration.
export function parseDurationSeconds(text: string): number | undefined {
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * secondsPerUnit[match[2] as keyof typeof secondsPerUnit];
}

/** Number of ports in a range. */
export function portCount(range: PortRange): number {
  return range.to - range.from + 1;
}

/** Renders a range the way a user writes it. */
export function formatPortRange(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

export const portSchema = z.int().min(1).max(65535);

export const durationSchema = z
  .string()
  .regex(durationPattern, 'expected a duration such as "90s", "5m", "2h" or "730d"')
  .transform((text) => parseDurationSeconds(text) as number);

export const portRangeSchema = z
  .union([portSchema, z.string().regex(portRangePattern, 'expected a port range such as "10000-11000"'), z.strictObject({ from: portSchema, to: portSchema })])
  .transform((value, ctx): PortRange => {
    let range: PortRange;
    if (typeof value === "number") range = { from: value, to: value };
    else if (typeof value === "string") {
      const [, from, to] = portRangePattern.exec(value) as RegExpExecArray;
      range = { from: Number(from), to: Number(to) };
    } else range = value;
    for (const port of [range.from, range.to]) {
      if (port < 1 || port > 65535) ctx.addIssue({ code: "custom", message: `port ${port} is outside 1-65535` });
    }
    if (range.from > range.to) {
      ctx.addIssue({ code: "custom", message: `range starts after it ends (${range.from} > ${range.to}): write "${range.to}-${range.from}"` });
    }
    return range;
  });
