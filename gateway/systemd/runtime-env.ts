// The runtime.env contract between the first-boot agent and the gateway's services.
//
// `rtcgw-firstboot.service` (a oneshot ordered before kamailio and rtpengine) writes
// /etc/rtcgw/runtime.env on every boot: a systemd EnvironmentFile (`KEY=value` lines, no quotes, no
// shell syntax). The kamailio and rtpengine drop-ins read it after their compiled defaults, so a value
// there overrides the recipe's; a missing file or variable leaves the compiled configuration in force.

/** Where first boot writes the runtime settings. */
export const runtimeEnvPath = "/etc/rtcgw/runtime.env";

/** The variables the services read from runtime.env. */
export const runtimeEnvVariables = {
  /**
   * rtpengine's `--interface` value, `[NAME/]LOCAL[!ADVERTISED]`, e.g. `10.0.0.5!203.0.113.7`
   * (bind the private address, announce the public one in SDP). Overrides `interface` in rtpengine.conf.
   * @default the compiled `interface` of rtpengine.conf
   */
  rtpengineInterface: "RTCGW_RTPENGINE_INTERFACE",
  /**
   * Extra kamailio command-line words, split at whitespace, e.g. `-A ADVERTISE_ADDRESS=203.0.113.7`
   * (each `-A NAME=value` becomes `#!define NAME value` for the config's `#!trydef`s).
   * @default none
   */
  kamailioOptions: "RTCGW_KAMAILIO_OPTIONS",
  /** Kamailio shared memory in MB. @default 64 */
  kamailioSharedMemory: "SHM_MEMORY",
} as const;
