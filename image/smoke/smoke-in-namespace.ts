// The smoke test's inside half: runs as PID 1 of private pid/net/mount namespaces (see
// smoke-test-rootfs.ts) with RTCGW_ROOT naming an overlay of the image. Starts a PBX stand-in in a
// second network namespace behind a veth pair, then the image's rtpengine and Kamailio, probes them,
// checks the nftables ruleset, and prints the checks as one JSON line. Everything dies with it.
import { appendFileSync } from "node:fs";
import process from "node:process";
import { execa, type ResultPromise } from "execa";
import { startDnsStandin } from "./dns-standin.ts";
import { probeRtpenginePing, probeSipOptions, probeWebSocketRegister, type SmokeCheck } from "./probe-gateway.ts";

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
  const pbx = execa("unshare", ["--net", "--", process.execPath, "--import", target.tsxImport, new URL("./pbx-standin.ts", import.meta.url).pathname, String(target.pbxPort)], { reject: false, stderr: "inherit" });
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

  await execa("mkdir", ["-p", `${root}/run/kamailio`]);
  const services: ResultPromise[] = [
    execa("chroot", [root, "rtpengine", "--config-file=/etc/rtpengine/rtpengine.conf", "--foreground", "--log-stderr", "--table=-1", "--pidfile=/run/rtpengine-smoke.pid"], { reject: false, stdout: "inherit", stderr: "inherit" }),
    execa("chroot", [root, "kamailio", "-f", "/etc/kamailio/kamailio.cfg", "-DD", "-E", "-Y", "/run/kamailio"], { reject: false, stdout: "inherit", stderr: "inherit" }),
  ];
  const exited: string[] = [];
  services.forEach((service, i) => void service.then((r) => exited.push(`${i === 0 ? "rtpengine" : "kamailio"} exited with ${r.exitCode ?? r.signal}`)));

  const deadline = Date.now() + 20_000;
  checks.push(await retryProbe(() => probeRtpenginePing(target.ng.host, target.ng.port, 1000), deadline));
  checks.push(await retryProbe(() => probeSipOptions("127.0.0.1", target.sipPort, 1000), deadline));
  checks.push(await retryProbe(() => probeWebSocketRegister(target.webSocketUrl, target.domain, 3000), deadline));
  const registers = pbxRequests.filter((line) => line.includes('"method":"REGISTER"'));
  checks.push({ name: "the PBX stand-in received the REGISTER", ok: registers.length > 0, detail: registers[0] ?? `PBX saw: ${pbxRequests.join(" ") || "nothing"}` });
  if (exited.length > 0) checks.push({ name: "services keep running", ok: false, detail: exited.join("; ") });
  return checks;
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
