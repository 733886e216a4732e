// Pure: which ports the boot test expects the firewall to keep closed from outside the VM, from the one
// description of the appliance's listeners (dsl/appliance-ports.ts): every listener bound to loopback
// (set by the recipe or fixed by the appliance) and one TCP port nothing listens on. Each probe sends
// what would make the listener answer if it were reachable: a TCP connection, rtpengine's ng `ping`,
// a SIP OPTIONS to the media service.
import { listApplianceListeners, type PortExposure } from "../../dsl/appliance-ports.ts";
import type { Recipe } from "../../dsl/resolve.ts";

/** What a closed-port probe sends: a TCP connection attempt, or a UDP datagram that an open listener answers. */
export type ClosedPortPayload = "tcp-connect" | "ng-ping" | "sip-options";

/** One port that must stay closed from outside. */
export interface ClosedPortProbe {
  label: string;
  protocol: "udp" | "tcp";
  port: number;
  exposure: PortExposure | "unused";
  payload: ClosedPortPayload;
}

/** The first port the search for an unused TCP port tries (the start of IANA's dynamic range). */
export const unusedPortSearchStart = 49152;

// The UDP listeners the probe knows how to make answer, by the recipe path that sets them.
const udpPayloads = new Map<string, ClosedPortPayload>([
  ["gateway.listen.rtpengineControl", "ng-ping"],
  ["gateway.media.port", "sip-options"],
]);

// The ports to probe, in the listeners' order, the unused TCP port last. A UDP listener without a known payload
// is left out: a silent datagram proves nothing under a drop policy.
export function planClosedPortProbes(recipe: Recipe): ClosedPortProbe[] {
  const listeners = listApplianceListeners(recipe);
  const probes: ClosedPortProbe[] = [];
  for (const listener of listeners) {
    if (listener.exposure !== "loopback" && listener.exposure !== "internal") continue;
    const payload = listener.protocol === "tcp" ? "tcp-connect" : udpPayloads.get(listener.segments.join("."));
    if (payload) probes.push({ label: listener.label, protocol: listener.protocol, port: listener.range.from, exposure: listener.exposure, payload });
  }
  const tcpRanges = listeners.filter((l) => l.protocol === "tcp").map((l) => l.range);
  let unused = unusedPortSearchStart;
  while (tcpRanges.some((range) => unused >= range.from && unused <= range.to)) unused++;
  probes.push({ label: "an unused TCP port", protocol: "tcp", port: unused, exposure: "unused", payload: "tcp-connect" });
  return probes;
}
