// The runtime.env contract between the first-boot agent and rtpengine.
//
// `rtcgw-firstboot.service` (gateway/agent, a oneshot ordered before kamailio and rtpengine) writes
// /etc/rtcgw/runtime.env on every boot: a systemd EnvironmentFile (`NAME=value` lines, no quotes). The
// rtpengine unit reads it; its start script turns the two addresses below into `--interface=LOCAL!ADVERTISED`,
// which overrides the `interface` compiled into rtpengine.conf. Without the file (or without
// RTCGW_LOCAL_IPV4) rtpengine runs with the compiled interface. Kamailio takes its runtime values from
// /etc/rtcgw/kamailio-runtime.cfg instead (see gateway/agent/contract.ts).
import { runtimePaths } from "../agent/contract.ts";

/** Where first boot writes the runtime settings (absolute). */
export const runtimeEnvPath = `/${runtimePaths.runtimeEnv}`;

/** The variables rtpengine's start script reads. */
export const runtimeEnvVariables = {
  /** The instance's private address: rtpengine binds it. Unset → the compiled interface. */
  localAddress: "RTCGW_LOCAL_IPV4",
  /** The address announced in SDP (public IPv4 or the recipe's `advertise`). Unset or equal to the local one → none. */
  advertisedAddress: "RTCGW_ADVERTISE_IPV4",
} as const;
