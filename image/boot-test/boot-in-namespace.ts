// The boot test's inside half: PID 1 of private pid/net/mount namespaces (boot-test-disk.ts starts it),
// so the network it makes and every process it starts die with it. It makes a TAP device for the VM
// (host side 10.77.0.1/24), answers DHCP and DNS with dnsmasq, serves IMDSv2 at 169.254.169.254, boots
// the VM, runs a PBX stand-in at the recipe's PBX address on the host side, waits for the ready line on
// the serial console, then checks the VM from outside (two WebRTC calls through it among the checks) and
// prints one RTCGW-BOOT JSON line.
import { appendFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { execa } from "execa";
import { probeHttps, probeSipOptions, probeWebSocketRegister, type SmokeCheck } from "../smoke/probe-gateway.ts";
import type { CallTargets } from "./call-targets-plan.ts";
import { checkWebRtcCalls } from "./check-webrtc-calls.ts";
import type { ClosedPortProbe } from "./closed-port-probes.ts";
import { startImdsStandin, type ImdsInstance } from "./imds-standin.ts";
import { startPbxStandin, waitForLine } from "./pbx-standin-process.ts";
import type { PbxStandinPlan } from "./pbx-standin-plan.ts";
import { probeClosedPort } from "./probe-closed-port.ts";
import { renderQemuArgs, type VmSpec } from "./qemu-command.ts";
import { vmNetwork } from "./vm-network.ts";
import { readSshReport, renderSshSessionScript, splitSshSession, type SshReport } from "./ssh-report.ts";
import { readVmLynisOutput, type VmLynisRun } from "../audit/vm-lynis-script.ts";

/** What the inside half needs (JSON in argv[2]). */
export interface BootPlan {
  vm: Omit<VmSpec, "tap" | "mac">;
  instance: Omit<ImdsInstance, "localIpv4">;
  serialLog: string;
  dnsmasqLeases: string;
  /** The console line that ends the wait: the gateway's ready line, or systemd's welcome (the second firmware). */
  readyMarker: string;
  /** From power-on. */
  readyTimeoutMs: number;
  /** full: every check from outside; console: only the marker on the console (the second firmware). */
  checks: "full" | "console";
  sshKey: string;
  adminLogin: string;
  sshPort: number;
  sipPort: number;
  httpsPort: number;
  /** The admin UI's user (its password is the instance id until changed). */
  adminUser: string;
  /** The SIP domain a REGISTER names. */
  domain: string;
  /** The root file system must have grown to at least this many bytes (the overlay is larger than the image). */
  grownRootBytes: number;
  /** The PBX stand-in on the host side (its DNS names answered by the DNS stand-in), or why there is none. */
  pbx: PbxStandinPlan | { none: string };
  /** Ports the firewall must keep closed from outside. */
  closedPorts: ClosedPortProbe[];
  /** Whom the WebRTC calls dial (the PBX stand-in's echo, music), or why a call is not placed. */
  calls: CallTargets;
  /** Lynis inside the VM, in the SSH session after the report (full checks only): the tar streamed on stdin, the script run as root. */
  lynis?: { tarball: string; script: string; timeoutMs: number };
  /** Created once the checks from outside are done (the SSH session may still run): the next boot may start then. */
  checkedFile?: string;
}

/** What the inside half reports. */
export interface BootOutcome {
  readySeconds: number | undefined;
  checks: SmokeCheck[];
  report?: SshReport;
  lynis?: VmLynisRun;
  imds: { tokens: number; refused: string[] };
  serialTail: string;
}

const { hostSide, guest, tap, mac } = vmNetwork;

async function sh(command: string, args: string[]): Promise<void> {
  const result = await execa(command, args, { reject: false });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(" ")}: ${String(result.stderr).trim()}`);
}

/** What the SSH session found: its checks, the report, Lynis's run. */
interface SessionOutcome {
  checks: SmokeCheck[];
  report?: SshReport;
  lynis?: VmLynisRun;
}

// Logs in as the admin with the launch key, reads the report and (with a plan for it) runs Lynis as root.
async function runSshSession(plan: BootPlan): Promise<SessionOutcome> {
  const ssh = await execa(
    "ssh",
    [
      "-i",
      plan.sshKey,
      "-p",
      String(plan.sshPort),
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "ConnectTimeout=15",
      `${plan.adminLogin}@${guest}`,
      renderSshSessionScript(plan.lynis?.script),
    ],
    { reject: false, timeout: 120_000 + (plan.lynis?.timeoutMs ?? 0), ...(plan.lynis ? { inputFile: plan.lynis.tarball } : {}) },
  );
  const session = splitSshSession(String(ssh.stdout));
  // With Lynis, the session's exit is the audit's: the report's part arrived when the Lynis part began.
  const loggedIn = ssh.exitCode === 0 || session.lynis !== undefined;
  const checks: SmokeCheck[] = [
    {
      name: `SSH as ${plan.adminLogin} with the launch key pair (from IMDS)`,
      ok: loggedIn,
      detail: loggedIn ? "logged in" : `exit ${ssh.exitCode}: ${String(ssh.stderr).trim().slice(-300)}`,
    },
  ];
  const lynis: VmLynisRun | undefined = !plan.lynis
    ? undefined
    : session.lynis === undefined
      ? { ok: false, message: `the SSH session ended before Lynis (exit ${ssh.exitCode}${ssh.timedOut ? ", timed out" : ""})` }
      : readVmLynisOutput(session.lynis, String(ssh.stderr));
  if (!loggedIn) return { checks, ...(lynis ? { lynis } : {}) };
  const report = readSshReport(session.report);
  checks.push(
    {
      name: "systemctl is-system-running: running",
      ok: report.state === "running",
      detail: report.state === "running" ? "running" : `${report.state}; failed units: ${report.failedUnits.join(", ") || "none"}`,
    },
    { name: "no failed unit", ok: report.failedUnits.length === 0, detail: report.failedUnits.join(", ") || "none" },
    {
      name: "the root file system grew to the volume",
      ok: report.rootBytes >= plan.grownRootBytes,
      detail: `${(report.rootBytes / 1024 ** 3).toFixed(2)} GiB (at least ${(plan.grownRootBytes / 1024 ** 3).toFixed(2)} GiB expected)`,
    },
    { name: "the host name comes from IMDS", ok: report.hostname === plan.instance.localHostname.split(".")[0], detail: report.hostname },
  );
  return { checks, report, ...(lynis ? { lynis } : {}) };
}

async function main(plan: BootPlan): Promise<BootOutcome> {
  await sh("ip", ["link", "set", "lo", "up"]);
  await sh("ip", ["addr", "add", "169.254.169.254/32", "dev", "lo"]);
  await sh("ip", ["tuntap", "add", "dev", tap, "mode", "tap"]);
  await sh("ip", ["addr", "add", `${hostSide}/24`, "dev", tap]);
  await sh("ip", ["link", "set", tap, "up"]);
  const pbx = "none" in plan.pbx ? undefined : plan.pbx;
  if (pbx && pbx.address !== hostSide) await sh("ip", ["addr", "add", `${pbx.address}/32`, "dev", "lo"]);
  const dnsmasq = execa(
    "dnsmasq",
    [
      "--no-daemon",
      "--conf-file=/dev/null",
      "--user=root",
      "--group=root",
      "--pid-file=",
      `--interface=${tap}`,
      "--bind-interfaces",
      `--listen-address=${hostSide}`,
      `--dhcp-range=${guest},${guest},255.255.255.0,12h`,
      `--dhcp-option=option:router,${hostSide}`,
      `--dhcp-option=option:dns-server,${hostSide}`,
      `--dhcp-leasefile=${plan.dnsmasqLeases}`,
      "--no-resolv",
      "--no-hosts",
      ...(pbx?.dnsNames ?? []).map((name) => `--address=/${name}/${pbx!.address}`),
      // Every other name does not exist (a closed network): answered at once, where REFUSED had resolvers retry.
      "--address=/#/",
    ],
    { reject: false, stdout: "ignore", stderr: "pipe" },
  );
  const pbxStandin = pbx ? await startPbxStandin(pbx.address, pbx.port) : undefined;
  const pbxRequests = pbxStandin?.lines ?? [];
  const imds = await startImdsStandin({ ...plan.instance, localIpv4: guest }, { address: "169.254.169.254", port: 80 });

  writeFileSync(plan.serialLog, "");
  const poweredOn = Date.now();
  const qemu = execa("qemu-system-x86_64", renderQemuArgs({ ...plan.vm, tap, mac }), {
    reject: false,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
  });
  let serial = "";
  let readyAt: number | undefined;
  let exited: string | undefined;
  const ready = new Promise<void>((resolve) => {
    qemu.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      serial += text;
      appendFileSync(plan.serialLog, text);
      // Colours and cursor moves (systemd's status lines) are stripped before matching; the tail covers a marker split across chunks.
      if (
        readyAt === undefined &&
        serial
          .slice(-4096)
          .replace(/\x1b\[[0-9;=?]*[A-Za-z]/g, "")
          .includes(plan.readyMarker)
      ) {
        readyAt = Date.now();
        resolve();
      }
    });
    qemu.stderr!.on("data", (chunk: Buffer) => appendFileSync(plan.serialLog, `[qemu] ${chunk.toString("utf8")}`));
    void qemu.then((result) => {
      exited = `QEMU exited with ${result.exitCode ?? result.signal}`;
      resolve();
    });
    setTimeout(resolve, plan.readyTimeoutMs);
  });
  await ready;
  const checks: SmokeCheck[] = [];
  const readySeconds = readyAt === undefined ? undefined : Math.round((readyAt - poweredOn) / 100) / 10;
  checks.push({
    name: `the console shows "${plan.readyMarker}"`,
    ok: readyAt !== undefined,
    detail:
      readyAt !== undefined
        ? `${readySeconds} s after power-on`
        : (exited ?? `not within ${plan.readyTimeoutMs / 1000} s of power-on (serial console: ${plan.serialLog})`),
  });
  let report: SshReport | undefined;
  let lynis: VmLynisRun | undefined;
  if (readyAt !== undefined && plan.checks === "full") {
    // The SSH session (the report, then Lynis for minutes under TCG) runs beside the checks from outside; its checks come first.
    const session = runSshSession(plan);
    const outside: SmokeCheck[] = [];
    outside.push(await probeSipOptions(guest, plan.sipPort, 5000, hostSide, "udp"));
    outside.push(await probeSipOptions(guest, plan.sipPort, 5000, hostSide, "tcp"));
    const https = `https://${guest}:${plan.httpsPort}`;
    outside.push(
      await probeHttps(
        "HTTPS / asks for the admin login (401)",
        `${https}/`,
        { status: 401, header: { name: "www-authenticate", pattern: /^Basic / } },
        10_000,
      ),
    );
    outside.push(
      await probeHttps(
        `HTTPS / shows the admin page to ${plan.adminUser} with the instance id from IMDS as password (200)`,
        `${https}/`,
        { status: 200, login: { user: plan.adminUser, password: plan.instance.instanceId }, body: /<title>rtcgw admin/ },
        20_000,
      ),
    );
    outside.push(
      await probeHttps("HTTPS /tryit/ serves the WebRTC demo page (200)", `${https}/tryit/`, { status: 200, body: /<script src="jssip\.min\.js">/ }, 10_000),
    );
    if (pbx) {
      outside.push(
        await probeWebSocketRegister(
          `wss://${guest}:${plan.httpsPort}/`,
          plan.domain,
          15_000,
          `a WSS REGISTER for ${plan.domain} through the VM gets the PBX's 200`,
        ),
      );
      const seen = await waitForLine(pbxRequests, (line) => line.includes('"method":"REGISTER"') && line.includes(`"from":"${guest}:`), 2000);
      outside.push({
        name: `the PBX stand-in (${pbx.host} → ${pbx.address}:${pbx.port} on the host side) received the REGISTER from the VM`,
        ok: seen !== undefined,
        detail: seen ?? `the stand-in saw: ${pbxRequests.join(" ") || "nothing"}`,
      });
    }
    outside.push(
      ...(await checkWebRtcCalls(
        {
          url: `wss://${guest}:${plan.httpsPort}/`,
          domain: plan.domain,
          mediaAddress: hostSide,
          targets: plan.calls,
          user: "boot-test",
          password: "boot-test",
        },
        pbxRequests,
      )),
    );
    outside.push(...(await Promise.all(plan.closedPorts.map((probe) => probeClosedPort(guest, probe, 3000, hostSide)))));
    outside.push({
      name: "the image asks IMDS with tokens only (IMDSv2)",
      ok: imds.log.tokens > 0 && imds.log.refused.length === 0,
      detail: `${imds.log.tokens} token(s), ${imds.log.served.length} reads${imds.log.refused.length ? `, refused without a token: ${imds.log.refused.join(", ")}` : ""}`,
    });
    if (plan.checkedFile) writeFileSync(plan.checkedFile, "");
    const ended = await session;
    checks.push(...ended.checks, ...outside);
    report = ended.report;
    lynis = ended.lynis;
  }
  // A debugging aid: RTCGW_BOOT_TEST_HOLD=SECONDS keeps the VM up after the checks; `nsenter -t PID -n`
  // (PID of this process, printed on stderr) reaches it at 10.77.0.10 with the launch key.
  const hold = Number(process.env.RTCGW_BOOT_TEST_HOLD ?? 0);
  if (hold > 0) {
    process.stderr.write(
      `boot test: holding the VM for ${hold} s; nsenter -n -t $(pgrep -f boot-in-namespace.ts) ssh -i ${plan.sshKey} ${plan.adminLogin}@${guest}\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, hold * 1000));
  }
  qemu.kill("SIGKILL");
  dnsmasq.kill("SIGKILL");
  pbxStandin?.stop();
  imds.server.close();
  return {
    readySeconds,
    checks,
    ...(report ? { report } : {}),
    ...(lynis ? { lynis } : {}),
    imds: { tokens: imds.log.tokens, refused: imds.log.refused },
    serialTail: serial.slice(-3000),
  };
}

main(JSON.parse(process.argv[2]!) as BootPlan).then(
  (outcome) => {
    process.stdout.write(`RTCGW-BOOT ${JSON.stringify(outcome)}\n`);
    process.exit(0);
  },
  (error: Error) => {
    process.stderr.write(`boot test: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
