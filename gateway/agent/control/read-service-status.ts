import { execFile } from "node:child_process";

/** A systemd unit's state as `systemctl is-active` prints it (active, inactive, failed, activating, unknown…). */
export interface ServiceStatus {
  unit: string;
  state: string;
}

/** The units the admin UI reports on. */
export const watchedUnits = ["rtcgw-firstboot.service", "kamailio.service", "rtpengine-daemon.service", "rtcgw-admin.service"] as const;

// Asks systemd for each unit's state (read-only; works without privileges).
export function readServiceStatus(units: readonly string[] = watchedUnits): Promise<ServiceStatus[]> {
  return new Promise((resolve) => {
    execFile("systemctl", ["is-active", ...units], { timeout: 2000 }, (error, stdout) => {
      const states = stdout.trim().split("\n");
      resolve(units.map((unit, index) => ({ unit, state: states[index]?.trim() || (error ? "unknown" : "") })));
    });
  });
}
