import { installPaths, runtimePaths } from "../contract.ts";
import { kernelAndHostProtection, unitLines } from "../../systemd/sandbox.ts";

// The pinned AWS SDK runs on the image's node (Debian 13's 20; tested) but warns at every start when its maintainers plan to drop that version.
const quietSdk = "Environment=AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true";

// The first-boot oneshot: every boot, after the network and before everything that reads its output.
// It generates SSH host keys too, so sshd also waits for it.
export function renderFirstBootUnit(header: string): string {
  return `${header}
[Unit]
Description=rtcgw first boot: instance identity, host keys, TLS certificate, admin password, license, runtime settings
Wants=network-online.target
After=network-online.target
Before=kamailio.service rtpengine-daemon.service rtcgw-admin.service ssh.service
ConditionPathExists=/${installPaths.config}

[Service]
Type=oneshot
RemainAfterExit=yes
# The DHCP route may come a moment after network-online.target: ask IMDS for up to 20 s before running as a local machine.
ExecStart=/usr/bin/node /${installPaths.agent} firstboot --imds-wait 20
${quietSdk}
# The AWS SDK looks for ~/.aws: a system service has no home of its own.
Environment=HOME=/
TimeoutStartSec=180
NoNewPrivileges=yes
# It writes the admin login's ~/.ssh/authorized_keys (the launch key pair).
ProtectHome=no
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

[Install]
WantedBy=multi-user.target
`;
}

// The HTTPS/WSS listener on the recipe's WSS port: an unprivileged dynamic user that may bind ports below 1024; the TLS key and password hash
// reach it as systemd credentials (private copies), so it never needs read access to /etc/rtcgw/tls.
export function renderAdminUnit(header: string, wssPort: number): string {
  return `${header}
[Unit]
Description=rtcgw admin UI (/), WebRTC demo (/tryit/) and WSS proxy to Kamailio, on port ${wssPort}
Wants=rtcgw-firstboot.service
After=rtcgw-firstboot.service network-online.target kamailio.service

[Service]
Type=simple
ExecStart=/usr/bin/node /${installPaths.agent} serve --tls-cert %d/tls-cert --tls-key %d/tls-key --password-hash %d/admin-password-hash
${quietSdk}
Environment=HOME=/
LoadCredential=tls-cert:/${runtimePaths.tlsCertificate}
LoadCredential=tls-key:/${runtimePaths.tlsKey}
LoadCredential=admin-password-hash:/${runtimePaths.adminPasswordHash}
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
${unitLines(kernelAndHostProtection)}
RestrictNamespaces=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
MemoryMax=256M
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
`;
}
