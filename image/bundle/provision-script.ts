import type { Recipe } from "../../dsl/resolve.ts";
import { withGeneratedHeader, type GeneratedFile, type GeneratedFrom } from "../../gateway/generated-file.ts";
import { renderTemplate } from "../../gateway/render-template.ts";
import { listGatewayUnits } from "../../gateway/systemd/compile-systemd-units.ts";
import { adminLogin, bootPackages, bootUnits, bootUnitsToDisable } from "../boot/boot-settings.ts";
import { listHardeningPackages, listLoginDefsSettings, timeDaemonPackages } from "../hardening/hardening-settings.ts";
import { filesRoot, formatMode, listShippedUnitsToEnable } from "./bundle-files.ts";

/** The gateway's SIP and media programs with the Kamailio modules its config loads (test/harness/image-tools.ts takes them too). */
export const gatewayPackages = [
  "kamailio",
  "kamailio-websocket-modules",
  "kamailio-tls-modules",
  "kamailio-extra-modules",
  "kamailio-utils-modules",
  "rtpengine-daemon",
];

// What every gateway image installs; systemd is listed because a minbase rootfs lacks it (a no-op on a
// Debian cloud image) and `systemctl enable` needs it.
const basePackages = [
  "systemd",
  "systemd-sysv",
  ...gatewayPackages,
  "nftables",
  "openssh-server",
  "unattended-upgrades",
  "nodejs",
  // The machine layer: kernel, udev, D-Bus, resolved, sudo (image/boot).
  ...bootPackages,
];

/** What provision.sh.hbs needs. */
export interface ProvisionContext {
  name: string;
  version: string;
  packages: string[];
  timeDaemons: string[];
  files: { mode: string; path: string }[];
  loginDefs: { key: string; value: string }[];
  strictPermissions: boolean;
  units: string[];
  /** Units installed packages enable that the appliance does not need. */
  unitsToDisable: string[];
  /** The login the launch key pair's key is for (created locked: key login only). */
  adminLogin: string;
}

// The Debian packages the image installs: the gateway's, the hardening profile's, then the recipe's extras
// (first mention wins). systemd-timesyncd comes on top when no time daemon is installed.
export function listImagePackages(recipe: Recipe): string[] {
  return [...new Set([...basePackages, ...listHardeningPackages(recipe.image.hardening), ...recipe.image.packages])];
}

// The script's context (pure): every file under files/ with its mode, the units to enable, hardening steps.
export function buildProvisionContext(recipe: Recipe, bundleFiles: readonly GeneratedFile[]): ProvisionContext {
  const files = bundleFiles
    .filter((file) => file.path.startsWith(`${filesRoot}/`))
    .map((file) => ({ mode: formatMode(file.mode), path: file.path.slice(filesRoot.length + 1) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    name: recipe.image.name,
    version: recipe.version,
    packages: listImagePackages(recipe),
    timeDaemons: timeDaemonPackages,
    files,
    loginDefs: listLoginDefsSettings(recipe.image.hardening),
    strictPermissions: recipe.image.hardening === "cis-l1",
    units: [...new Set([...listGatewayUnits(), ...bootUnits, ...listShippedUnitsToEnable(bundleFiles)])],
    unitsToDisable: bootUnitsToDisable,
    adminLogin,
  };
}

// provision.sh for the bundle's files.
export function compileProvisionScript(recipe: Recipe, from: GeneratedFrom, bundleFiles: readonly GeneratedFile[]): GeneratedFile {
  const content = renderTemplate("image/bundle/provision.sh.hbs", buildProvisionContext(recipe, bundleFiles));
  return { path: "provision.sh", content: withGeneratedHeader(content, from, "#"), mode: 0o755 };
}
