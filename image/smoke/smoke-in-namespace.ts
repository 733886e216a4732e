// The smoke test's inside half: runs as PID 1 of private pid/net/mount namespaces (see
// smoke-test-rootfs.ts) with RTCGW_ROOT naming an overlay of the image. Runs the agent's first boot
// (no metadata service here: a local machine), starts a PBX stand-in in a second network namespace
// behind a veth pair, then the image's rtpengine, Kamailio and the agent's HTTPS service (as an
// unprivileged user, like its unit), probes them, checks the nftables ruleset, and prints the checks
// as one JSON line. Everything dies with it.
import { randomBytes } from "node:crypto";
import { appendFileSync, chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { execa, type ResultPromise } from "execa";
import type { AgentConfig } from "../../gateway/agent/agent-config.ts";
import { installPaths, runtimePaths } from "../../gateway/agent/contract.ts";
import { startDnsStandin } from "./dns-standin.ts";
import { probeHttps, probeRtpenginePing, probeSipOptions, probeWebSocketRegister, type SmokeCheck } from "./probe-gateway.ts";

/** What the inside half needs to know (passed as JSON in argv[2]). */
export interface SmokeTarget {
  sipPort: number;
  /** Kamailio's loopback WebSocket listener (the agent, which owns the WSS port, proxies to it). */
  webSocketUrl: string;
  domain: string;
  pbxHost: string;
  pbxPort: number;
  ng: { host: string; port: number };
  tsxImport: string;
}

const gatewayAddress = "192.0.2.1";
/** `nobody`: the agent's HTTPS service runs unprivileged (a DynamicUser on the appliance). */
const unprivileged = 65534;
const pbxAddress = "192.0.2.10";

// Retries a probe until it passes or `deadline` (ms since epoch) is reached.
async function retryProbe(probe: () => Promise<SmokeCheck>, deadline: number): Promise<SmokeCheck> {
  for (;;) {
    const check = await probe();
    if (check.ok || Date.now() > deadline) return check;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<SmokeCheck[]> {
  const target = JSON.parse(process.argv[2]!) as SmokeTarget;
  const root = process.env.RTCGW_ROOT!;
  const inRoot = (command: string, args: string[]) => execa("chroot", [root, command, ...args], { reject: false, stdout: "pipe", stderr: "pipe" });
  const checks: SmokeCheck[] = [];

  const nft = await inRoot("nft", ["-c", "-f", "/etc/nftables.conf"]);
  checks.push({ name: "nftables ruleset loads (nft -c)", ok: nft.exitCode === 0, detail: nft.exitCode === 0 ? "ok" : String(nft.stderr).slice(0, 500) });

  appendFileSync(`${root}/etc/hosts`, `${pbxAddress}\t${target.pbxHost}\n`);
  await startDnsStandin(new Map([[target.pbxHost.toLowerCase(), pbxAddress]]));
  const pbx = execa(
    "unshare",
    ["--net", "--", process.execPath, "--import", target.tsxImport, new URL("./pbx-standin.ts", import.meta.url).pathname, String(target.pbxPort)],
    { reject: false, stderr: "inherit" },
  );
  const pbxRequests: string[] = [];
  // The veth peer may move into the stand-in's namespace only once unshare has made it: wait for its first line.
  const listening = new Promise<void>((resolve, reject) => {
    pbx.stdout?.on("data", (chunk: Buffer) => {
      pbxRequests.push(...chunk.toString().split("\n").filter(Boolean));
      if (pbxRequests.some((line) => line.includes('"listening"'))) resolve();
    });
    void pbx.then((r) => reject(new Error(`the PBX stand-in exited with ${r.exitCode ?? r.signal}`)));
  });
  await listening;
  await execa("ip", ["link", "add", "gw0", "type", "veth", "peer", "name", "pbx0", "netns", String(pbx.pid)]);
  await execa("ip", ["addr", "add", `${gatewayAddress}/24`, "dev", "gw0"]);
  await execa("ip", ["link", "set", "gw0", "up"]);
  await execa("nsenter", ["-t", String(pbx.pid), "-n", "sh", "-c", `ip addr add ${pbxAddress}/24 dev pbx0 && ip link set pbx0 up && ip link set lo up`]);

  // After the network is up, as on the appliance (After=network-online.target).
  const firstBoot = await runFirstBoot(root);
  checks.push(firstBoot);
  if (!firstBoot.ok) return checks;
  await execa("mkdir", ["-p", `${root}/run/kamailio`]);
  const credentials = writeAdminCredentials(root);
  const agent = JSON.parse(readFileSync(join(root, installPaths.config), "utf8")) as AgentConfig;
  const serve = [
    "serve",
    "--tls-cert",
    `${credentials}/tls-cert`,
    "--tls-key",
    `${credentials}/tls-key`,
    "--password-hash",
    `${credentials}/admin-password-hash`,
  ];
  const dropPrivileges = [
    "setpriv",
    `--reuid=${unprivileged}`,
    `--regid=${unprivileged}`,
    "--clear-groups",
    "--no-new-privs",
    ...["--inh-caps", "--ambient-caps", "--bounding-set"].map((flag) => `${flag}=-all,+net_bind_service`),
  ];
  const services: ResultPromise[] = [
    execa(
      "chroot",
      [root, "rtpengine", "--config-file=/etc/rtpengine/rtpengine.conf", "--foreground", "--log-stderr", "--table=-1", "--pidfile=/run/rtpengine-smoke.pid"],
      { reject: false, stdout: "inherit", stderr: "inherit" },
    ),
    execa("chroot", [root, "kamailio", "-f", "/etc/kamailio/kamailio.cfg", "-DD", "-E", "-Y", "/run/kamailio"], {
      reject: false,
      stdout: "inherit",
      stderr: "inherit",
    }),
    execa("chroot", [root, ...dropPrivileges, "/usr/bin/node", `/${installPaths.agent}`, ...serve], {
      reject: false,
      stdout: "inherit",
      stderr: "inherit",
      env: agentEnv,
    }),
  ];
  const names = ["rtpengine", "kamailio", "the agent's HTTPS service"];
  const exited: string[] = [];
  services.forEach((service, i) => void service.then((r) => exited.push(`${names[i]} exited with ${r.exitCode ?? r.signal}`)));

  const deadline = Date.now() + 20_000;
  checks.push(await retryProbe(() => probeRtpenginePing(target.ng.host, target.ng.port, 1000), deadline));
  // Kamailio binds the address the first boot found (RTCGW_LOCAL_IPV4), as on an instance.
  const localIpv4 = /^RTCGW_LOCAL_IPV4=(\S+)$/m.exec(readFileSync(join(root, runtimePaths.runtimeEnv), "utf8"))?.[1] ?? "127.0.0.1";
  checks.push(await retryProbe(() => probeSipOptions(localIpv4, target.sipPort, 1000), deadline));
  checks.push(await retryProbe(() => probeWebSocketRegister(target.webSocketUrl, target.domain, 3000), deadline));
  const https = `https://127.0.0.1:${agent.https.port}`;
  const password = readFileSync(join(root, runtimePaths.instanceMarker), "utf8").trim();
  checks.push(
    await retryProbe(
      () => probeHttps("HTTPS / asks for the admin login (401)", `${https}/`, { status: 401, header: { name: "www-authenticate", pattern: /^Basic / } }, 2000),
      deadline,
    ),
  );
  checks.push(
    await probeHttps(
      "HTTPS / shows the admin UI to the admin user with the instance id as password (200)",
      `${https}/`,
      { status: 200, login: { user: agent.admin.user, password }, body: /<title>rtcgw admin/ },
      5000,
    ),
  );
  checks.push(
    await probeHttps("HTTPS /tryit/ serves the WebRTC demo page (200)", `${https}/tryit/`, { status: 200, body: /<script src="jssip\.min\.js">/ }, 2000),
  );
  checks.push(await probeWebSocketRegister(`wss://127.0.0.1:${agent.https.port}/`, target.domain, 3000, "the agent's WSS port carries a REGISTER to Kamailio"));
  // The stand-in prints each request before answering it, but its pipe may be read after the answer arrives.
  const registersSeen = () => pbxRequests.filter((line) => line.includes('"method":"REGISTER"'));
  for (let round = 0; round < 20 && registersSeen().length < 2; round++) await new Promise((r) => setTimeout(r, 50));
  const registers = registersSeen();
  checks.push({
    name: "the PBX stand-in received both REGISTERs",
    ok: registers.length >= 2,
    detail: registers.length >= 2 ? registers[0]! : `PBX saw: ${pbxRequests.join(" ") || "nothing"}`,
  });
  if (exited.length > 0) checks.push({ name: "services keep running", ok: false, detail: exited.join("; ") });
  return checks;
}

// The pinned AWS SDK warns at every start on node versions its maintainers plan to drop (the units set the same variable).
const agentEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

// The agent's first boot as rtcgw-firstboot.service runs it, after systemd has written a machine id.
async function runFirstBoot(root: string): Promise<SmokeCheck> {
  const name = "the agent's first boot writes the certificate, admin password hash and runtime settings";
  writeFileSync(join(root, "etc/machine-id"), `${randomBytes(16).toString("hex")}\n`);
  const run = await execa("chroot", [root, "/usr/bin/node", `/${installPaths.agent}`, "firstboot"], {
    reject: false,
    all: true,
    env: agentEnv,
    timeout: 60_000,
  });
  const expected = [
    runtimePaths.tlsCertificate,
    runtimePaths.tlsKey,
    runtimePaths.adminPasswordHash,
    runtimePaths.runtimeEnv,
    runtimePaths.kamailioDefines,
    runtimePaths.instanceMarker,
  ];
  const missing = expected.filter((path) => !existsSync(join(root, path)));
  if (run.exitCode !== 0 || missing.length > 0)
    return { name, ok: false, detail: `exit ${run.exitCode}${missing.length ? `, missing ${missing.join(", ")}` : ""}: ${String(run.all).slice(-500)}` };
  return {
    name,
    ok: true,
    detail:
      String(run.all)
        .split("\n")
        .find((line) => line.startsWith("instance ")) ?? "ok",
  };
}

// What systemd's LoadCredential= gives rtcgw-admin.service: private copies only its user can read. Returns the directory inside the root.
function writeAdminCredentials(root: string): string {
  const inside = "/run/credentials/rtcgw-admin.service";
  mkdirSync(join(root, "run/credentials"), { recursive: true });
  mkdirSync(join(root, inside), { mode: 0o500 });
  chownSync(join(root, inside), unprivileged, unprivileged);
  for (const [name, from] of [
    ["tls-cert", runtimePaths.tlsCertificate],
    ["tls-key", runtimePaths.tlsKey],
    ["admin-password-hash", runtimePaths.adminPasswordHash],
  ] as const) {
    const file = join(root, inside, name);
    copyFileSync(join(root, from), file);
    chmodSync(file, 0o400);
    chownSync(file, unprivileged, unprivileged);
  }
  return inside;
}

main().then(
  (checks) => {
    process.stdout.write(`\nRTCGW-SMOKE ${JSON.stringify(checks)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stdout.write(`\nRTCGW-SMOKE ${JSON.stringify([{ name: "smoke test ran", ok: false, detail: String(error) }])}\n`);
    process.exit(0);
  },
);
