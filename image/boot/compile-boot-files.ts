// The machine layer's files: DHCP on every Ethernet interface, a root file system found by label and
// grown to its volume at first boot, sudo for the admin login, and a console line when the gateway is up.
import type { Recipe } from "../../dsl/resolve.ts";
import type { GeneratedFile, GeneratedFrom } from "../../gateway/generated-file.ts";
import { withGeneratedHeader } from "../../gateway/generated-file.ts";
import { renderTemplate } from "../../gateway/render-template.ts";
import { adminLogin, diskLabels, readyMarker } from "./boot-settings.ts";

/** The units the ready line waits for: every service of the gateway. */
export const gatewayServices = [
  "nftables.service",
  "rtcgw-firstboot.service",
  "rtpengine-daemon.service",
  "kamailio.service",
  "rtcgw-media.service",
  "rtcgw-admin.service",
];

/** A socket the ready line waits for: a started Node service listens a few seconds later (under TCG, 10 s and more). */
export interface ListeningSocket {
  protocol: "tcp" | "udp";
  port: number;
  service: string;
}

// The sockets of the gateway's Node services (Kamailio and rtpengine listen before systemd calls them started).
export function listListeningSockets(recipe: Recipe): ListeningSocket[] {
  return [
    { protocol: "tcp", port: recipe.gateway.listen.wss.port, service: "rtcgw-admin (HTTPS, WSS)" },
    { protocol: "udp", port: recipe.gateway.media.port, service: "rtcgw-media (SIP on loopback)" },
  ];
}

// The files (paths without the leading `/`) every bootable image carries.
export function compileBootFiles(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const file = (path: string, name: string, context: object, mode = 0o644): GeneratedFile => ({
    path,
    content: withGeneratedHeader(renderTemplate(`image/boot/${name}`, context), from, "#"),
    mode,
  });
  return [
    file("etc/systemd/network/50-rtcgw-ethernet.network", "ethernet.network.hbs", {}),
    file("etc/systemd/system/systemd-networkd-wait-online.service.d/50-rtcgw.conf", "wait-online.conf.hbs", {}),
    file("etc/fstab", "fstab.hbs", { rootLabel: diskLabels.root }),
    file("etc/locale.conf", "locale.conf.hbs", {}),
    // Debian's PAM (pam_env) reads the locale from here; systemd from /etc/locale.conf.
    file("etc/default/locale", "locale.conf.hbs", {}),
    file("etc/systemd/journald.conf.d/60-rtcgw-console.conf", "journald-console.conf.hbs", {}),
    file("etc/repart.d/50-rtcgw-root.conf", "repart-root.conf.hbs", {}),
    file(`etc/sudoers.d/90-rtcgw-${adminLogin}`, "sudoers.hbs", { adminLogin }, 0o440),
    file("etc/systemd/system/rtcgw-ready.service", "ready.service.hbs", {
      services: gatewayServices.join(" "),
      readyMarker,
      listening: listListeningSockets(recipe).map((s) => ({ ...s, flag: s.protocol === "tcp" ? "-Htln" : "-Huln" })),
    }),
  ];
}
