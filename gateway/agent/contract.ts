// The agent's contract with the rest of the appliance: where it writes, what Kamailio and rtpengine read.
// gateway/agent/README.md explains each item; keep the two in step.
import { kamailioLoopbackPort } from "../../dsl/appliance-ports.ts";

/** Files the first boot writes, relative to the root (`/` on the appliance, a temp dir in tests). */
export const runtimePaths = {
  /** Shell-style `NAME=value` lines for systemd `EnvironmentFile=` (rtpengine, kamailio drop-ins). */
  runtimeEnv: "etc/rtcgw/runtime.env",
  /** `#!trydef`/`#!substdef` lines Kamailio pulls in with `import_file` before its own defaults. */
  kamailioDefines: "etc/rtcgw/kamailio-runtime.cfg",
  /** SHM_MEMORY/PKG_MEMORY for Debian's kamailio.service (its `EnvironmentFile=-/etc/default/kamailio.d/*`). */
  kamailioMemory: "etc/default/kamailio.d/rtcgw-memory",
  tlsCertificate: "etc/rtcgw/tls/cert.pem",
  tlsKey: "etc/rtcgw/tls/key.pem",
  /** The admin password hash (scrypt), never the password. */
  adminPasswordHash: "etc/rtcgw/admin.passwd",
  /** What the first boot found about the license, for the admin UI. */
  licenseState: "etc/rtcgw/license-state.json",
  /** The instance the cert, password and SSH host keys were made for: a new instance (from the AMI) renews them. */
  instanceMarker: "var/lib/rtcgw/instance-id",
  sshDirectory: "etc/ssh",
} as const;

/** Files the bundle installs, relative to the root. */
export const installPaths = {
  agent: "usr/lib/rtcgw/agent.mjs",
  config: "usr/lib/rtcgw/agent.json",
  tryit: "usr/lib/rtcgw/tryit",
} as const;

/** Kamailio's plain WebSocket + JSONRPC listener on loopback; the agent proxies WSS upgrades to it. */
export const kamailioLoopback = { address: "127.0.0.1", port: kamailioLoopbackPort, rpcPath: "/RPC" } as const;

/** Demo mode (no valid license): calls end after this many seconds. */
export const demoMaxCallSeconds = 90;

/** Names Kamailio's config may use; the runtime file defines every one of them. */
export const kamailioDefineNames = ["RTCGW_MAX_CALL_SECONDS", "RTCGW_MAX_PARALLEL_CALLS", "RTCGW_LICENSED", "RTCGW_PUBLIC_IPV4", "RTCGW_LOCAL_IPV4"] as const;
