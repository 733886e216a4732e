// Pure: the project's Lynis profile. Lynis matches `skip-test` exactly (no wildcards), so the skipped
// families are expanded against the test ids of the installed Lynis.

/** Test families that judge the build host, not the image, when Lynis runs in a chroot. */
export const hostOnlyTestFamilies: Record<string, string> = {
  KRNL: "reads the running kernel (the build host's), its live sysctls and modules",
  FIRE: "reads the live firewall of the audit's empty network namespace; the image's ruleset is checked with `nft -c` by the smoke test",
  BOOT: "the rootfs has no boot loader or kernel: the cloud base image provides them",
};

// Every test id (e.g. `KRNL-5820`) registered in Lynis's test sources.
export function findLynisTestIds(testSources: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const source of testSources) for (const match of source.matchAll(/Register --test-no ([A-Z]+-\d+)/g)) ids.add(match[1]!);
  return [...ids].sort();
}

// The profile text: skips every test of the host-only families, with the reason above each family.
export function renderLynisProfile(testIds: readonly string[], families: Record<string, string> = hostOnlyTestFamilies): string {
  const lines = ["# rtcgw audit profile: Lynis runs inside the image's rootfs (chroot, private pid/net namespaces)."];
  for (const [family, reason] of Object.entries(families)) {
    lines.push(`# ${family}-*: ${reason}`);
    for (const id of testIds.filter((t) => t.startsWith(`${family}-`))) lines.push(`skip-test=${id}`);
  }
  lines.push("colors=no", "quick=yes", "");
  return lines.join("\n");
}
