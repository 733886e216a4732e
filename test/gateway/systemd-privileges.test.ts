// The drop-ins' privilege model works for the real daemons: started the way the units start them (their own
// user, no new privileges, only the capabilities the drop-in grants, via setpriv). The default recipe gives
// Kamailio no capability (443 belongs to the agent) and it still runs; a recipe with a public WebSocket on a
// privileged port gets CAP_NET_BIND_SERVICE, binds it, and cannot without it. rtpengine answers ping.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { compileSystemdUnits } from "../../gateway/systemd/compile-systemd-units.ts";
import { compileRtpengineConfig, rtpengineStartScriptPath } from "../../gateway/rtpengine/compile-rtpengine-config.ts";
import { buildTestRecipe, loopbackGatewayDefines, writeKamailioConfig } from "../harness/gateway-config.ts";
import { createSelfSignedCertificate } from "../harness/tls-certificate.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { sleep, startProcess, stopAllProcesses, type RunningProcess } from "../harness/start-process.ts";
import { from } from "../image/load-test-recipe.ts";
import { waitForPong } from "./rtpengine-ng.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-privileges-"));
chmodSync(workDir, 0o755); // the daemons' users read their configs from here
after(async () => {
  await stopAllProcesses();
  rmSync(workDir, { recursive: true, force: true });
});

// A public plain WebSocket listener (for a TLS-terminating load balancer) on a privileged port.
const privilegedRecipe = buildTestRecipe((r) => (r.gateway.listen.ws = { port: 80 }));
const dropInOf = (recipe: ReturnType<typeof buildTestRecipe>, unit: string) =>
  compileSystemdUnits(recipe, from).find((f) => f.path.includes(`/${unit}.d/`))!.content;
const dropIn = (unit: string) => dropInOf(privilegedRecipe, unit);

// The effective value of a unit setting: the last assignment (an empty one resets the list).
function setting(unit: string, key: string): string {
  const values = [...unit.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((m) => m[1]!);
  assert.ok(values.length > 0, `${key} is set`);
  return values.at(-1)!;
}

// setpriv arguments that start a command as the unit would: user, capabilities, no new privileges.
function asUnit(unit: string, user: string, caps: string): string[] {
  assert.equal(setting(unit, "NoNewPrivileges"), "yes");
  const list = caps
    .split(/\s+/)
    .filter(Boolean)
    .map((cap) => `+${cap.replace(/^CAP_/, "").toLowerCase()}`);
  const set = ["-all", ...list].join(",");
  return ["--reuid", user, "--regid", user, "--init-groups", `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`, "--no-new-privs", "--"];
}

// A privileged TCP port free on loopback right now.
async function freePrivilegedPort(): Promise<number> {
  for (let port = 1023; port > 600; port--) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free privileged port on 127.0.0.1");
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

async function startKamailioAsUnit(name: string, caps: string, recipe = privilegedRecipe): Promise<{ proc: RunningProcess; port: number; log: string }> {
  const setpriv = requireBinary("setpriv", "util-linux");
  const kamailio = requireBinary("kamailio", "kamailio");
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const tls = createSelfSignedCertificate(dir);
  chmodSync(tls.key, 0o644); // test key, readable by the kamailio user
  const config = writeKamailioConfig(recipe, dir);
  const privileged = recipe.gateway.listen.ws ? await freePrivilegedPort() : undefined;
  const { defines, ports } = await loopbackGatewayDefines(recipe, tls, privileged ? { WS_PORT: privileged } : {});
  const port = privileged ?? ports.loopback;
  const rundir = join(dir, "run");
  mkdirSync(rundir);
  const kamailioUser = Number(execFileSync("id", ["-u", "kamailio"], { encoding: "utf8" }));
  chownSync(rundir, kamailioUser, -1);
  const args = [...asUnit(dropIn("kamailio.service"), "kamailio", caps), kamailio, "-DD", "-E", "-Y", rundir, "-f", config, "-m", "64", "-M", "8"];
  for (const [key, value] of Object.entries(defines)) args.push("-A", `${key}=${value}`);
  const log = join(dir, "kamailio.log");
  return { proc: startProcess(name, setpriv, args, log), port, log };
}

test("the default recipe gives kamailio no capability, and it runs as its own user with none", async () => {
  const recipe = buildTestRecipe();
  const unit = dropInOf(recipe, "kamailio.service");
  assert.equal(setting(unit, "AmbientCapabilities"), "");
  assert.equal(setting(unit, "CapabilityBoundingSet"), "");
  const { proc, port, log } = await startKamailioAsUnit("default", "", recipe);
  try {
    let bound = false;
    for (let attempt = 0; attempt < 50 && proc.isAlive() && !bound; attempt++) {
      bound = await canConnect(port);
      if (!bound) await sleep(100);
    }
    assert.ok(bound, `kamailio listens on its loopback WebSocket port 127.0.0.1:${port}:\n${readFileSync(log, "utf8").slice(-2000)}`);
  } finally {
    await proc.stop();
  }
});

test("kamailio as user kamailio with the drop-in's capabilities binds a public WebSocket on a privileged port", async () => {
  const caps = setting(dropIn("kamailio.service"), "AmbientCapabilities");
  assert.equal(caps, "CAP_NET_BIND_SERVICE");
  assert.equal(setting(dropIn("kamailio.service"), "CapabilityBoundingSet"), caps);
  const { proc, port, log } = await startKamailioAsUnit("granted", caps);
  try {
    let bound = false;
    for (let attempt = 0; attempt < 50 && proc.isAlive() && !bound; attempt++) {
      bound = await canConnect(port);
      if (!bound) await sleep(100);
    }
    assert.ok(bound, `kamailio listens on 127.0.0.1:${port}:\n${readFileSync(log, "utf8").slice(-2000)}`);
    assert.ok(proc.isAlive());
  } finally {
    await proc.stop();
  }
});

test("without the capability, kamailio as its own user cannot bind that port", async () => {
  const { proc, log } = await startKamailioAsUnit("denied", "");
  for (let attempt = 0; attempt < 100 && proc.isAlive(); attempt++) await sleep(100);
  const alive = proc.isAlive();
  await proc.stop();
  assert.equal(alive, false, "kamailio exited");
  assert.match(readFileSync(log, "utf8"), /bind.*Permission denied|Permission denied.*bind/i);
});

test("rtpengine as user rtpengine with the drop-in's capabilities starts through the start script", async () => {
  const setpriv = requireBinary("setpriv", "util-linux");
  requireBinary("rtpengine", "rtpengine-daemon");
  const unit = dropIn("rtpengine-daemon.service");
  const [control, media] = await findFreePorts(2);
  const recipe = buildTestRecipe((r) => {
    r.gateway.listen.rtpengineControl = control;
    r.gateway.listen.rtp = `${media}-${media! + 39}`;
    r.gateway.capacity = { parallelCalls: 10 };
  });
  const files = compileRtpengineConfig(recipe, from);
  const dir = join(workDir, "rtpengine");
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "rtpengine.conf"), files.find((f) => f.path === "etc/rtpengine/rtpengine.conf")!.content);
  writeFileSync(join(dir, "start-rtpengine"), files.find((f) => f.path === rtpengineStartScriptPath)!.content, { mode: 0o755 });
  const piddir = join(dir, "run");
  mkdirSync(piddir);
  chownSync(piddir, Number(execFileSync("id", ["-u", "rtpengine"], { encoding: "utf8" })), -1);
  const args = [
    ...asUnit(unit, "rtpengine", setting(unit, "AmbientCapabilities")),
    join(dir, "start-rtpengine"),
    "--foreground",
    "--log-stderr",
    `--pidfile=${join(piddir, "rtpengine.pid")}`,
  ];
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    RTCGW_RTPENGINE_CONFIG: join(dir, "rtpengine.conf"),
    RTCGW_LOCAL_IPV4: "127.0.0.1",
    RTCGW_ADVERTISE_IPV4: "192.0.2.80",
  };
  const proc = startProcess("rtpengine-as-unit", setpriv, args, join(dir, "rtpengine.log"), env);
  try {
    assert.ok(await waitForPong(proc, control!), `rtpengine answered ping:\n${readFileSync(join(dir, "rtpengine.log"), "utf8").slice(-2000)}`);
  } finally {
    await proc.stop();
  }
});
