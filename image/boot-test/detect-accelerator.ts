// Which QEMU accelerator works here: KVM when /dev/kvm exists and a tiny KVM guest really runs (on some
// hosts KVM opens but fails on a CPU feature, e.g. "failed to set MSR 0x10a"), TCG otherwise; and which
// QEMU runs it (under TCG its version matters: QEMU 10 runs the boot test's guest 2-3 times faster than 7.2).
import { existsSync } from "node:fs";
import { execa } from "execa";

/** The accelerator and why, and QEMU's version. */
export interface Accelerator {
  name: "kvm" | "tcg";
  reason: string;
  /** `qemu-system-x86_64 --version`'s number, e.g. "10.0.2" ("unknown" when it printed none). */
  qemuVersion: string;
}

// Probes KVM: a guest with no disk that must still be running after `probeMs` (a failing KVM exits at once).
export async function detectAccelerator(options: { qemu?: string; probeMs?: number } = {}): Promise<Accelerator> {
  const qemu = options.qemu ?? "qemu-system-x86_64";
  const version = await execa(qemu, ["--version"], { reject: false, stdin: "ignore" });
  const qemuVersion = /version (\d+\.\d+(?:\.\d+)?)/.exec(String(version.stdout))?.[1] ?? "unknown";
  if (!existsSync("/dev/kvm")) return { name: "tcg", reason: "no /dev/kvm", qemuVersion };
  const probe = execa(qemu, ["-machine", "q35,accel=kvm", "-cpu", "host", "-m", "64", "-nodefaults", "-display", "none", "-no-reboot"], {
    reject: false,
    stdin: "ignore",
    timeout: options.probeMs ?? 3000,
    killSignal: "SIGKILL",
  });
  const result = await probe;
  if (result.timedOut) return { name: "kvm", reason: "a KVM guest ran", qemuVersion };
  const why = String(result.stderr).trim().split("\n").filter(Boolean).pop() ?? `exit ${result.exitCode}`;
  return { name: "tcg", reason: `KVM does not work here: ${why}`, qemuVersion };
}
