// The boot test as a gate: boots the raw disk under QEMU (KVM when it works here, TCG otherwise) in
// private namespaces with a network of its own (boot-in-namespace.ts), and reports power-on to ready,
// the accelerator and every check. UEFI first with every check and the gateway's ready line; then BIOS
// until systemd starts from the disk's root file system (boot loader, kernel, initramfs and root are what
// differ between the two; the rest of the boot is the same and already checked), started once the UEFI
// boot's checks from outside are done, beside its SSH session. The first boot also runs
// Lynis inside the VM (its runtime test groups, image/audit/vm-lynis-script.ts); a warning fails the gate. The disk
// file is never written (a qcow2 overlay, one GiB larger, takes the VM's writes and shows growing).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Recipe } from "../../dsl/resolve.ts";
import { adminLogin, readyMarker } from "../boot/boot-settings.ts";
import type { BuildLog } from "../builders/local/build-log.ts";
import { runKillable } from "../builders/local/run-killable.ts";
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import type { BootOutcome, BootPlan } from "./boot-in-namespace.ts";
import { planClosedPortProbes } from "./closed-port-probes.ts";
import { detectAccelerator, type Accelerator } from "./detect-accelerator.ts";
import { defaultUefiVars, type Firmware } from "./qemu-command.ts";
import { planPbxStandin } from "./pbx-standin-plan.ts";
import { planCallTargets } from "./call-targets-plan.ts";
import type { SshReport } from "./ssh-report.ts";
import { vmNetwork } from "./vm-network.ts";
import { judgeVmLynis, type VmLynisAudit } from "../audit/judge-vm-lynis.ts";
import { runtimeTestGroups } from "../audit/render-lynis-profile.ts";
import { stageLynisForVm } from "../audit/stage-lynis-for-vm.ts";
import { renderVmLynisScript } from "../audit/vm-lynis-script.ts";

/** systemd's first console line once it runs from the root file system. */
export const systemdWelcome = "Welcome to Debian GNU/Linux";

/** One boot. */
export interface BootRun {
  firmware: Firmware;
  /** Power-on to the marker: the gateway's ready line (the first boot), systemd's welcome (the second). */
  readySeconds: number | undefined;
  marker: string;
  checks: SmokeCheck[];
  report?: SshReport;
  /** Lynis inside the VM (the first boot). */
  lynis?: VmLynisAudit;
  serialLog: string;
}

/** The gate's verdict: ok only when every check of every boot passed. */
export interface BootTestResult {
  ok: boolean;
  accelerator: Accelerator;
  boots: BootRun[];
}

/** What to boot and how. */
export interface BootTestOptions {
  disk: string;
  workDir: string;
  recipe: Recipe;
  log: BuildLog;
  signal?: AbortSignal;
  /** @default ["uefi", "bios"] */
  firmwares?: Firmware[];
  /** Power-on to ready, per boot. @default 600 s under TCG (a busy 2-core machine needed 300 s), 120 s under KVM */
  readyTimeoutMs?: number;
  /** Run Lynis inside the VM on the first boot (its warnings fail the gate). @default true */
  lynisInVm?: boolean;
  /**
   * Called once the first boot's checks from outside are done (or it passed): from then on the VM mostly runs Lynis on
   * one vCPU, and the second boot starts; the caller may start work of its own beside them. Not called when it failed first.
   */
  onFirstBootChecked?: () => void;
}

const growBytes = 1024 ** 3;

/** Lynis inside the VM may take this long: under TCG it took 69–112 s with QEMU 10 (140–240 s with QEMU 7.2) on an idle machine, more under load. */
const vmLynisTimeoutSeconds = 600;

// Boots the disk and checks it; never throws for a failed boot (only for a cancel).
export async function bootTestDisk(options: BootTestOptions): Promise<BootTestResult> {
  const dir = join(options.workDir, "boot-test");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const accelerator = await detectAccelerator();
  options.log.note(`boot test: accelerator ${accelerator.name} (${accelerator.reason}), QEMU ${accelerator.qemuVersion}`);
  const sshKey = join(dir, "launch-key");
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "rtcgw-boot-test", "-f", sshKey]);
  const openSshKey = readFileSync(`${sshKey}.pub`, "utf8").trim();
  const diskBytes = Number((await execa("stat", ["--format=%s", options.disk])).stdout);
  const pbx = planPbxStandin(options.recipe, vmNetwork);
  const calls = planCallTargets(options.recipe, "none" in pbx ? undefined : pbx.upstream);
  const lynisGroups = Object.keys(runtimeTestGroups);
  const lynisTarball = options.lynisInVm === false ? "" : await stageLynisForVm(dir);
  // One boot of the disk; the first runs every check (and Lynis), the others wait for their console marker.
  const boot = async (firmware: Firmware, first: boolean, checkedFile?: string): Promise<BootRun> => {
    const overlay = join(dir, `${firmware}.qcow2`);
    await execa("qemu-img", ["create", "-q", "-f", "qcow2", "-b", options.disk, "-F", "raw", overlay, String(diskBytes + growBytes)]);
    const uefiVars = join(dir, "OVMF_VARS.fd");
    if (firmware === "uefi") copyFileSync(defaultUefiVars, uefiVars);
    const serialLog = join(dir, `serial-${firmware}.log`);
    const plan: BootPlan = {
      // The console-only boot gets one vCPU: it only has to reach systemd, beside the first VM's Lynis, and a 2-vCPU
      // BIOS boot under QEMU 10's TCG once hung there (the guest's RCU stall: CPU 1's timer wakeup never came).
      vm: { accelerator: accelerator.name, firmware, overlay, ...(firmware === "uefi" ? { uefiVars } : {}), ...(first ? {} : { cpus: 1 }) },
      instance: { instanceId: "i-0b007e57c0ffee123", region: "us-east-1", localHostname: "ip-10-77-0-10.ec2.internal", openSshKey },
      serialLog,
      dnsmasqLeases: join(dir, `dnsmasq-${firmware}.leases`),
      readyMarker: first ? readyMarker : systemdWelcome,
      readyTimeoutMs: options.readyTimeoutMs ?? (accelerator.name === "kvm" ? 120_000 : 600_000),
      checks: first ? "full" : "console",
      sshKey,
      adminLogin,
      sshPort: options.recipe.image.ssh.port,
      sipPort: options.recipe.gateway.listen.sip.ports.from,
      httpsPort: options.recipe.gateway.listen.wss.port,
      grownRootBytes: diskBytes + growBytes / 2,
      adminUser: options.recipe.gateway.admin.user,
      domain: options.recipe.gateway.domains[0]!,
      pbx,
      closedPorts: planClosedPortProbes(options.recipe),
      calls,
      ...(checkedFile ? { checkedFile } : {}),
      ...(first && options.lynisInVm !== false
        ? { lynis: { tarball: lynisTarball, script: renderVmLynisScript(lynisGroups, vmLynisTimeoutSeconds), timeoutMs: vmLynisTimeoutSeconds * 1000 } }
        : {}),
    };
    if (plan.checks === "full") {
      if ("none" in pbx) options.log.note(`boot test (${firmware}): no WSS REGISTER check: ${pbx.none}`);
      for (const [call, target] of Object.entries(calls))
        if ("none" in target) options.log.note(`boot test (${firmware}): no WebRTC call (${call}): ${target.none}`);
    }
    const inside = new URL("./boot-in-namespace.ts", import.meta.url).pathname;
    const command = [
      "unshare",
      "--mount",
      "--propagation=private",
      "--pid",
      "--net",
      "--fork",
      "--kill-child",
      "--",
      "bash",
      "-c",
      'mount -t proc proc /proc && exec "$@"',
      "rtcgw-boot",
      process.execPath,
      "--import",
      import.meta.resolve("tsx"),
      inside,
      JSON.stringify(plan),
    ];
    options.log.note(`boot test (${firmware}): qemu-system-x86_64 in private namespaces, serial console in ${serialLog}`);
    const run = await runKillable(command, {
      log: options.log,
      inheritEnv: true,
      timeoutMs: plan.readyTimeoutMs + 240_000 + (plan.lynis?.timeoutMs ?? 0),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const line = run.stdout.split("\n").find((l) => l.startsWith("RTCGW-BOOT "));
    const outcome = line ? (JSON.parse(line.slice("RTCGW-BOOT ".length)) as BootOutcome) : undefined;
    const checks = outcome?.checks ?? [{ name: "the boot test ran", ok: false, detail: `exit ${run.exitCode}: ${run.stderr.trim().slice(-500)}` }];
    const lynis = outcome?.lynis ? judgeVmLynis(outcome.lynis, lynisGroups) : undefined;
    if (lynis) checks.push(lynis.check);
    if (outcome?.lynis?.ok) {
      // Beside the chroot audit's report and log, for a look at what the VM audit saw.
      mkdirSync(join(options.workDir, "audit"), { recursive: true });
      writeFileSync(join(options.workDir, "audit", "vm-lynis-report.dat"), outcome.lynis.report);
      writeFileSync(join(options.workDir, "audit", "vm-lynis.log"), outcome.lynis.log);
    }
    for (const check of checks) options.log.note(`boot (${firmware}): ${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
    if (outcome?.report) options.log.note(`boot (${firmware}): ${outcome.report.startup}\n${outcome.report.blame.join("\n")}`);
    const boot: BootRun = {
      firmware,
      readySeconds: outcome?.readySeconds,
      marker: plan.readyMarker,
      checks,
      ...(outcome?.report ? { report: outcome.report } : {}),
      ...(lynis?.audit ? { lynis: lynis.audit } : {}),
      serialLog,
    };
    // A failed boot keeps its overlay (the VM's writes, its journal among them) in the work directory for a look.
    if (checks.every((c) => c.ok)) rmSync(overlay, { force: true });
    else
      options.log.note(
        `boot test (${firmware}): the VM's writes are kept in ${overlay} (its journal: qemu-img convert to raw, debugfs rdump /var/log/journal)`,
      );
    return boot;
  };
  // The first boot with every check; the next once its checks from outside are done (`checkedFile`), beside its SSH
  // session (Lynis inside the VM uses one vCPU for minutes under TCG); a first boot that failed before that starts none.
  const [firstFirmware = "uefi", ...others] = options.firmwares ?? ["uefi", "bios"];
  const checkedFile = join(dir, "first-boot-checked");
  const firstBoot = boot(firstFirmware, true, checkedFile);
  const firstEnded = await waitForFileOr(checkedFile, firstBoot);
  const passed = (run: BootRun) => run.checks.every((c) => c.ok);
  const boots: BootRun[] = [];
  if (firstEnded && !passed(firstEnded)) boots.push(firstEnded);
  else {
    options.onFirstBootChecked?.();
    const rest = (async () => {
      const runs: BootRun[] = [];
      for (const firmware of others) {
        const run = await boot(firmware, false);
        runs.push(run);
        if (!passed(run)) break;
      }
      return runs;
    })();
    const [first, later] = await Promise.all([firstBoot, rest]);
    boots.push(first, ...later);
  }
  const ok = boots.length === 1 + others.length && boots.every(passed);
  return { ok, accelerator, boots };
}

// Resolves when `path` exists (to undefined) or `run` ended (to its value; its error is thrown), whichever comes first.
async function waitForFileOr<T>(path: string, run: Promise<T>): Promise<T | undefined> {
  let ended: { value: T } | { error: unknown } | undefined;
  run.then(
    (value) => (ended = { value }),
    (error: unknown) => (ended = { error }),
  );
  while (!ended && !existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 250));
  if (ended && "error" in ended) throw ended.error;
  return ended?.value;
}
