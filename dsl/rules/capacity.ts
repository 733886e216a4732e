import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { formatPortRange, portCount } from "../units.ts";
import { describeMeasuredFigure, everyCallTranscodes, findCallCapacity, measuredCapacity, type MeasuredCapacity } from "../measured-capacity.ts";

/** rtpengine opens RTP and RTCP on both legs: 4 ports per bridged call. */
export const rtpPortsPerCall = 4;

/** How many concurrent calls a range of RTP ports carries. */
export function callsForRtpPorts(ports: number): number {
  return Math.floor(ports / rtpPortsPerCall);
}

// The RTP range must hold the capacity target; the message names a range that would.
export function checkRtpCapacity(recipe: Recipe): Problem[] {
  const { rtp } = recipe.gateway.listen;
  const target = recipe.gateway.capacity.parallelCalls;
  const holds = callsForRtpPorts(portCount(rtp));
  if (holds >= target) return [];
  const fitting = { from: rtp.from, to: Math.min(65535, rtp.from + target * rtpPortsPerCall - 1) };
  const fix =
    callsForRtpPorts(portCount(fitting)) >= target
      ? `use "${formatPortRange(fitting)}" or lower gateway.capacity.parallelCalls`
      : "lower gateway.capacity.parallelCalls";
  return [
    problemAt(
      ["gateway", "listen", "rtp"],
      `RTP range ${formatPortRange(rtp)} holds ${holds} call${holds === 1 ? "" : "s"} (${rtpPortsPerCall} ports per call) but gateway.capacity.parallelCalls is ${target}: ${fix}`,
    ),
  ];
}

// Warns when the capacity target asks one instance for more calls than was measured (the message names the figure:
// transcoded calls when the codec policy transcodes every call); silent while the RTP range cannot hold the target
// anyway (that error comes first) or nothing was measured.
export function checkMeasuredCapacity(recipe: Recipe, capacity: MeasuredCapacity = measuredCapacity): Problem[] {
  const target = recipe.gateway.capacity.parallelCalls;
  const measured = findCallCapacity(capacity, { transcoding: everyCallTranscodes(recipe.gateway.rules.codecs) });
  if (!measured || target <= measured.figure.value || checkRtpCapacity(recipe).length > 0) return [];
  const { name, figure, configuration } = measured;
  return [
    problemAt(
      ["gateway", "capacity", "parallelCalls"],
      `${target} calls per instance is more than measured: ${describeMeasuredFigure(name, figure, configuration)} (docs/PERFORMANCE.md); calls beyond it may lose audio: lower it, or run several instances (the cluster template)`,
      "warning",
    ),
  ];
}
