import type { InstanceIdentity } from "./read-instance-identity.ts";
import type { EffectiveLimits } from "../license/resolve-limits.ts";
import type { GatewayLimits } from "../../kamailio/size-gateway-limits.ts";

/** The dialog module's own default timeout (12 h): what "no call duration limit" becomes in Kamailio. */
export const unlimitedCallSeconds = 43200;

/** Everything the services need to know that is only known at boot. */
export interface RuntimeSettings {
  identity: InstanceIdentity;
  limits: EffectiveLimits;
  /** The recipe's `listen.advertise`, which wins over the instance's public address. */
  advertise: string | undefined;
  /** Memory and connection limits sized from the instance (sizeGatewayLimits); without them the compiled defaults apply. */
  sizing?: GatewayLimits;
}

// The address announced in SDP and Record-Route: the recipe's, else the public IPv4, else the local one.
export function chooseAdvertisedAddress(settings: RuntimeSettings): string {
  return settings.advertise ?? settings.identity.publicIpv4 ?? settings.identity.localIpv4;
}

// `/etc/rtcgw/runtime.env`: `NAME=value` lines for systemd's EnvironmentFile= (values are validated
// addresses, ids and integers, so no quoting is needed and none is used).
export function renderRuntimeEnv(settings: RuntimeSettings): string {
  const { identity, limits } = settings;
  const lines = {
    RTCGW_INSTANCE_ID: identity.instanceId,
    RTCGW_REGION: identity.region,
    RTCGW_LOCAL_IPV4: identity.localIpv4,
    RTCGW_PUBLIC_IPV4: identity.publicIpv4 ?? identity.localIpv4,
    RTCGW_ADVERTISE_IPV4: chooseAdvertisedAddress(settings),
    RTCGW_LICENSE_MODE: limits.mode,
    RTCGW_MAX_CALL_SECONDS: String(limits.maxCallSeconds ?? unlimitedCallSeconds),
    RTCGW_MAX_PARALLEL_CALLS: String(limits.maxParallelCalls),
  };
  for (const [name, value] of Object.entries(lines)) {
    if (!/^[A-Za-z0-9.:_-]*$/.test(value)) throw new Error(`refusing to write ${name}=\`${value}\`: unexpected characters`);
  }
  return `# written by rtcgw-firstboot at every boot, do not edit\n${Object.entries(lines)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n")}\n`;
}

// `/etc/rtcgw/kamailio-runtime.cfg`: imported by kamailio.cfg before its own `#!trydef` defaults, so these
// win over the defaults and `kamailio -A NAME=value` (tests) wins over these.
export function renderKamailioDefines(settings: RuntimeSettings): string {
  const { identity, limits } = settings;
  const advertised = chooseAdvertisedAddress(settings);
  return [
    "# written by rtcgw-firstboot at every boot, do not edit; imported by kamailio.cfg",
    `#!trydef RTCGW_MAX_CALL_SECONDS ${limits.maxCallSeconds ?? unlimitedCallSeconds}`,
    `#!trydef RTCGW_MAX_PARALLEL_CALLS ${limits.maxParallelCalls}`,
    `#!trydef RTCGW_LICENSED ${limits.mode === "licensed" ? 1 : 0}`,
    ...(settings.sizing ? [`#!trydef TCP_MAX_CONNECTIONS ${settings.sizing.tcpMaxConnections}`, `#!trydef OVERLOAD_CPS ${settings.sizing.overloadCps}`] : []),
    substdef("RTCGW_PUBLIC_IPV4", advertised),
    substdef("RTCGW_LOCAL_IPV4", identity.localIpv4),
    "",
  ].join("\n");
}

function substdef(name: string, address: string): string {
  if (!/^[0-9.]+$/.test(address) && !/^[a-z0-9.-]+$/i.test(address)) throw new Error(`refusing to write ${name} \`${address}\``);
  return `#!ifndef ${name}\n#!substdef "!${name}!${address}!g"\n#!endif`;
}

// Kamailio's memory for Debian's kamailio.service (`-m $SHM_MEMORY -M $PKG_MEMORY`), sized with its connection
// limits so that they bind before shared memory runs out.
export function renderKamailioMemory(sizing: GatewayLimits): string {
  return `# written by rtcgw-firstboot at every boot from the instance's memory, do not edit\nSHM_MEMORY=${sizing.kamailioSharedMiB}\nPKG_MEMORY=${sizing.kamailioPrivateMiB}\n`;
}
