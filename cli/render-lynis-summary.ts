// The Lynis lines of build-ami's summary: the combined verdict against its target, then where it comes from
// (the rootfs audit during the build, Lynis inside the VM during the boot test).
import type { LocalImageManifest } from "../image/builders/local/image-manifest.ts";

// The lines; the first is the summary's "Lynis" line, the rest are indented under it.
export function renderLynisSummary(manifest: Pick<LocalImageManifest, "audit" | "lynis" | "bootTest">): string[] {
  const { lynis, audit } = manifest;
  const vm = manifest.bootTest.boots[0]?.lynis;
  const target = `the target of ${lynis.target.hardeningIndex} with no warnings`;
  return [
    `  Lynis         hardening index ${lynis.hardeningIndex} (${lynis.points.earned} of ${lynis.points.possible} points, rootfs and VM combined), ${lynis.warnings.length} warning(s), ${lynis.suggestions.length} suggestion(s)${lynis.meetsTarget ? `: meets ${target}` : ` — below ${target}`}`,
    `    rootfs (chroot, during the build): hardening index ${audit.hardeningIndex}, ${audit.warnings.length} warning(s)`,
    vm
      ? `    Lynis inside the VM (${vm.groups.join(", ")}): hardening index ${vm.hardeningIndex}, ${vm.warnings.length} warning(s), ${vm.suggestions.length} suggestion(s), ${vm.seconds} s under ${manifest.bootTest.accelerator.name.toUpperCase()}`
      : "    Lynis inside the VM: no audit recorded",
  ];
}
