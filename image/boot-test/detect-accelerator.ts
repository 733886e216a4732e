// Which QEMU accelerator works here: KVM when /dev/kvm exists and a tiny KVM guest really runs (on some
// hosts KVM opens but fails on a CPU feature, e.g. "failed to set MSR 0x10a"), TCG otherwise.
import { existsSync } from "node:fs";
import { execa } from "execa";

/** The accelerator and why. */
export interface Accelerator {
  name: "kvm" | "tcg";
  reason: string;
}

// Probes KVM: a guest with no disk that must still be running after `probeMs` (a failing KVM exits at once).
export async function detectAccelerator(options: { qemu?: string; probeMs?: number } = {}): Promise<Accelerator> {
  if (!existsSync("/dev/kvm")) return { name: "tcg", reason: "no /dev/kvm" };
  const probe = execa(
    options.qemu ?? "qemu-system-x86_64",
    ["-machine", "q35,accel=kvm", "-cpu", "host", "-m", "64", "-nodefaults", "-display", "none", "-no-reboot"],
    { reject: false, stdin: "ignore", timeout: options.probeMs ?? 3000, killSignal: "SIGKILL" },
  );
  const result = await probe;
  if (result.timedOut) return { name: "kvm", reason: "a KVM guest ran" };
  const why = String(result.stderr).trim().split("\n").filter(Boolean).pop() ?? `exit ${result.exitCode}`;
  return { name: "tcg", reason: `KVM does not work here: ${why}` };
}
