// Kamailio's memory managers, for shared (-x) and private (-X) memory: TLSF instead of Debian's default "qm". With qm,
// `qm_malloc` alone took 16.5 % of Kamailio's CPU at 1000 signalling CPS; TLSF took the gateway's CPU at 1500 CPS from
// 76-88 % to 55-62 % of a core (docs/PERFORMANCE.md). Command line only: memory exists before the cfg is read.
export const kamailioMemoryManagerArgs = ["-x", "tlsf", "-X", "tlsf"] as const;
