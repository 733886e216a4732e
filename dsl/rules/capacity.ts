import type { Recipe } from "../resolve.ts";
import { problemAt, type Problem } from "../problems.ts";
import { formatPortRange, portCount } from "../units.ts";

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
  const fix = callsForRtpPorts(portCount(fitting)) >= target ? `use "${formatPortRange(fitting)}" or lower gateway.capacity.parallelCalls` : "lower gateway.capacity.parallelCalls";
  return [
    problemAt(
      ["gateway", "listen", "rtp"],
      `RTP range ${formatPortRange(rtp)} holds ${holds} call${holds === 1 ? "" : "s"} (${rtpPortsPerCall} ports per call) but gateway.capacity.parallelCalls is ${target}: ${fix}`,
    ),
  ];
}
