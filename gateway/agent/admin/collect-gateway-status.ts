import type { ServiceStatus } from "../control/read-service-status.ts";
import type { ActiveCall, Registration } from "../control/query-kamailio.ts";
import type { RtpengineSummary } from "../control/query-rtpengine.ts";
import type { EffectiveLimits } from "../license/resolve-limits.ts";

/** A reading that may have failed; the admin UI shows the reason instead of the value. */
export type Probe<T> = { ok: true; value: T } | { ok: false; error: string };

/** The control interfaces the status comes from; tests replace them. */
export interface GatewayStatusSources {
  services(): Promise<ServiceStatus[]>;
  registrations(): Promise<Registration[]>;
  calls(): Promise<ActiveCall[]>;
  rtpengine(): Promise<RtpengineSummary>;
  /** What the first boot wrote about the license (etc/rtcgw/license-state.json). */
  license(): Promise<{ verdict: Record<string, unknown>; limits: EffectiveLimits }>;
}

/** Everything the status page shows that changes at run time. */
export interface GatewayStatus {
  services: Probe<ServiceStatus[]>;
  registrations: Probe<Registration[]>;
  calls: Probe<ActiveCall[]>;
  rtpengine: Probe<RtpengineSummary>;
  license: Probe<{ verdict: Record<string, unknown>; limits: EffectiveLimits }>;
}

// Reads every source at once; one failing source never hides the others.
export async function collectGatewayStatus(sources: GatewayStatusSources): Promise<GatewayStatus> {
  const [services, registrations, calls, rtpengine, license] = await Promise.all([
    probe(() => sources.services()),
    probe(() => sources.registrations()),
    probe(() => sources.calls()),
    probe(() => sources.rtpengine()),
    probe(() => sources.license()),
  ]);
  return { services, registrations, calls, rtpengine, license };
}

async function probe<T>(read: () => Promise<T>): Promise<Probe<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: (error as Error).message || String(error) };
  }
}
