import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../../gateway/generated-file.ts";
import { renderTemplate } from "../../gateway/render-template.ts";
import { adminLogin } from "../boot/boot-settings.ts";
import { listDisabledModules, listSysctlSettings, sshAlgorithms } from "./hardening-settings.ts";

/**
 * The sshd drop-in. It sorts before cloud-init's `50-cloud-init.conf` because sshd keeps the first value
 * it reads: a `50-rtcgw.conf` would lose `PasswordAuthentication` to cloud-init's file.
 */
export const sshdDropInPath = "etc/ssh/sshd_config.d/10-rtcgw.conf";

const template = (name: string) => `image/hardening/${name}`;

const timeServers = ["169.254.169.123", "fd00:ec2::123", "0.debian.pool.ntp.org", "1.debian.pool.ntp.org", "2.debian.pool.ntp.org"];

// The files that harden the image for the recipe's profile: SSH baseline, sysctls, time sync and
// unattended security upgrades always; modprobe, banner, umask, idle timeout and core-dump limits for cis-l1.
export function compileHardeningFiles(recipe: Recipe, from: GeneratedFrom): GeneratedFile[] {
  const profile = recipe.image.hardening;
  const cis = profile === "cis-l1";
  const file = (path: string, name: string, context: object, mode = 0o644, comment: "#" | "//" = "#"): GeneratedFile => ({
    path,
    content: withGeneratedHeader(renderTemplate(template(name), context), from, comment),
    mode,
  });
  const sysctl = listSysctlSettings(profile).map((s) => ({ key: `${s.optional ? "-" : ""}${s.key}`, value: s.value }));
  const files = [
    file(sshdDropInPath, "sshd.conf.hbs", { port: recipe.image.ssh.port, banner: cis, adminLogin, ...sshAlgorithms }, 0o600),
    // Sorts after Debian's own 99-protect-links.conf: sysctl.d files apply in name order, the last value wins.
    file("etc/sysctl.d/99-zz-rtcgw.conf", "sysctl.conf.hbs", { settings: sysctl }),
    file("etc/systemd/timesyncd.conf.d/60-rtcgw.conf", "timesyncd.conf.hbs", { servers: timeServers }),
    file("etc/apt/apt.conf.d/20auto-upgrades", "auto-upgrades.hbs", {}, 0o644, "//"),
    file("etc/apt/apt.conf.d/52rtcgw-unattended-upgrades", "unattended-upgrades.hbs", {}, 0o644, "//"),
  ];
  if (!cis) return files;
  return [
    ...files,
    file("etc/modprobe.d/60-rtcgw.conf", "modprobe.conf.hbs", { modules: listDisabledModules(profile) }),
    file("etc/profile.d/60-rtcgw-shell.sh", "shell.sh.hbs", { umask: "027", idleSeconds: 900 }),
    file("etc/security/limits.d/60-rtcgw.conf", "core-dumps.hbs", {}),
    file("etc/systemd/coredump.conf.d/60-rtcgw.conf", "coredump.conf.hbs", {}),
    // The pre-login banners carry no header: they are shown to every visitor as they are.
    { path: "etc/issue", content: renderTemplate(template("issue.hbs"), {}), mode: 0o644 },
    { path: "etc/issue.net", content: renderTemplate(template("issue.hbs"), {}), mode: 0o644 },
  ];
}
