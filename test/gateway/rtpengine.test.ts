// The compiled rtpengine.conf is accepted by the real rtpengine: it starts on loopback, answers ng `ping`
// with bencode, allocates media ports from the recipe's range and announces the advertised address; the
// start script applies first boot's runtime.env addresses over the compiled interface.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileRtpengineConfig } from "../../gateway/rtpengine/compile-rtpengine-config.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { startProcess, stopAllProcesses, type RunningProcess } from "../harness/start-process.ts";
import { from, loadRecipe } from "../image/load-test-recipe.ts";
import { offerAudio, sendNgCommand, waitForPong } from "./rtpengine-ng.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-rtpengine-"));
after(async () => {
  await stopAllProcesses();
  rmSync(workDir, { recursive: true, force: true });
});

const fileOf = (files: { path: string; content: string }[], path: string) => files.find((f) => f.path === path)!.content;

// A loopback recipe: control on a free port, 40 media ports (10 calls) above a free port.
async function loopbackFiles(name: string, advertise?: string) {
  let [control, media] = await findFreePorts(2);
  // Two free ports may still be close: the control port must not fall inside the 40 media ports.
  while (control! >= media! && control! <= media! + 39) [control] = await findFreePorts(1);
  const recipe = loadRecipe((r) => {
    r.gateway.listen.address = "127.0.0.1";
    if (advertise) r.gateway.listen.advertise = advertise;
    r.gateway.listen.rtpengineControl = control;
    r.gateway.listen.rtp = `${media}-${media! + 39}`;
    r.gateway.capacity = { parallelCalls: 10 };
  });
  const files = compileRtpengineConfig(recipe, from);
  const dir = mkdtempSync(join(workDir, `${name}-`));
  const config = join(dir, "rtpengine.conf");
  const script = join(dir, "start-rtpengine");
  writeFileSync(config, fileOf(files, "etc/rtpengine/rtpengine.conf"));
  writeFileSync(script, fileOf(files, "usr/libexec/rtcgw/start-rtpengine"), { mode: 0o755 });
  return { dir, config, script, control: control!, media: media! };
}

const mediaLine = (sdp: string) => /^m=audio (\d+) /m.exec(sdp)?.[1];
const connectionLine = (sdp: string) => /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];

async function stopped(proc: RunningProcess): Promise<void> {
  await proc.stop();
  assert.equal(proc.isAlive(), false);
}

test("rtpengine.conf: userspace table, ng on loopback, the recipe's port range, syslog, one poller per thread", () => {
  const config = fileOf(compileRtpengineConfig(loadRecipe(), from), "etc/rtpengine/rtpengine.conf");
  assert.match(config, /^table = -1$/m);
  assert.match(config, /^listen-ng = 127\.0\.0\.1:2223$/m);
  assert.match(config, /^port-min = 10000$/m);
  assert.match(config, /^port-max = 11000$/m);
  assert.match(config, /^interface = any$/m);
  assert.match(config, /^log-facility = daemon$/m);
  assert.match(config, /^delete-delay = 30$/m);
  assert.match(config, /^poller-per-thread = true$/m, "each socket read by one worker thread: packets keep their order");
  assert.doesNotMatch(config, /^num-threads/m, "the default worker count: max(cores, 4)");
  assert.doesNotMatch(config, /^(listen-cli|listen-http|log-stderr)/m);
  const advertised = fileOf(
    compileRtpengineConfig(
      loadRecipe((r) => (r.gateway.listen.advertise = "203.0.113.7")),
      from,
    ),
    "etc/rtpengine/rtpengine.conf",
  );
  assert.match(advertised, /^interface = any!203\.0\.113\.7$/m);
});

test("rtpengine starts with the compiled config, answers ping and offers from the recipe's range", async () => {
  const rtpengine = requireBinary("rtpengine", "rtpengine-daemon");
  const site = await loopbackFiles("plain", "198.51.100.7");
  const proc = startProcess(
    "rtpengine",
    rtpengine,
    [`--config-file=${site.config}`, "--foreground", "--log-stderr", `--pidfile=${join(site.dir, "pid")}`],
    join(site.dir, "log"),
  );
  try {
    assert.ok(await waitForPong(proc, site.control), "rtpengine answered ping");
    assert.deepEqual(await sendNgCommand(site.control, { command: "ping" }), { result: "pong" });
    const sdp = await offerAudio(site.control, "rtcgw-test-1");
    assert.equal(connectionLine(sdp), "198.51.100.7");
    const port = Number(mediaLine(sdp));
    assert.ok(port >= site.media && port <= site.media + 39, `media port ${port} within ${site.media}-${site.media + 39}`);
  } finally {
    await stopped(proc);
  }
});

test("the start script: runtime.env addresses replace the compiled interface; without them the config's stays", async () => {
  const site = await loopbackFiles("runtime", "198.51.100.7");
  const args = ["--foreground", "--log-stderr", `--pidfile=${join(site.dir, "pid")}`];
  const cases: [string, Record<string, string>, string][] = [
    ["first boot wrote the addresses", { RTCGW_LOCAL_IPV4: "127.0.0.1", RTCGW_ADVERTISE_IPV4: "192.0.2.44" }, "192.0.2.44"],
    ["no runtime.env", {}, "198.51.100.7"],
    ["advertised = local", { RTCGW_LOCAL_IPV4: "127.0.0.1", RTCGW_ADVERTISE_IPV4: "127.0.0.1" }, "127.0.0.1"],
  ];
  requireBinary("rtpengine", "rtpengine-daemon");
  for (const [name, env, expected] of cases) {
    const environment = { PATH: process.env.PATH ?? "/usr/bin:/bin", RTCGW_RTPENGINE_CONFIG: site.config, ...env };
    const proc = startProcess("start-rtpengine", site.script, args, join(site.dir, "log"), environment);
    try {
      assert.ok(await waitForPong(proc, site.control), `${name}: rtpengine answered ping`);
      assert.equal(connectionLine(await offerAudio(site.control, `rtcgw-${expected}`)), expected, name);
    } finally {
      await stopped(proc);
    }
  }
});
