// systemd's sandboxing directives that several rtcgw units share, written once: the Kamailio and rtpengine drop-ins
// (compile-systemd-units.ts), the agent's admin unit (gateway/agent/bundle/render-agent-units.ts) and the media
// service's unit (gateway/media/bundle-media-service.ts). Each unit keeps its own order of lines around them, so that
// a change here is a change to every unit that uses them, and nothing else moves.

/** Fences a long-running service off the kernel and the host's global state: tunables, modules, logs, cgroups, clock, hostname. */
export const kernelAndHostProtection: readonly string[] = [
  "ProtectKernelTunables=yes",
  "ProtectKernelModules=yes",
  "ProtectKernelLogs=yes",
  "ProtectControlGroups=yes",
  "ProtectClock=yes",
  "ProtectHostname=yes",
];

/** Confinement both daemons (Kamailio, rtpengine) tolerate: they only need the network, their runtime directory and /etc to read. */
export const daemonSandbox: readonly string[] = [
  "NoNewPrivileges=yes",
  "ProtectHome=yes",
  "PrivateTmp=yes",
  "PrivateDevices=yes",
  ...kernelAndHostProtection,
  "RestrictSUIDSGID=yes",
  "RestrictNamespaces=yes",
  "LockPersonality=yes",
  "SystemCallArchitectures=native",
  "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
];

/** Directives as lines of a unit file's section (no trailing newline), for a unit written as a template literal. */
export function unitLines(directives: readonly string[]): string {
  return directives.join("\n");
}
