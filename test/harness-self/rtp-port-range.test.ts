// The media port reservations of tests and benchmarks: disjoint across reservations, below the ephemeral ports,
// not taken while their owner lives, taken over after it died; and the harness's rtpengine binds inside its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reserveRtpPorts, rtpPortBand, type PortLocks } from "../harness/rtp-port-range.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { startRtpengine } from "../harness/rtpengine.ts";
import { makeTempDir } from "../make-temp-dir.ts";

// Four blocks of 64 ports in a folder of the test's own.
function smallBand(t: Parameters<typeof makeTempDir>[0]): PortLocks {
  return { band: { min: 9000, max: 9000 + 4 * 64 - 1 }, dir: makeTempDir(t, "rtcgw-rtp-locks-") };
}

test("reservations never overlap, fill the band and come back when released", (t) => {
  const locks = smallBand(t);
  const a = reserveRtpPorts(100, locks);
  const b = reserveRtpPorts(100, locks);
  assert.deepEqual([a.min, a.max, b.min, b.max], [9000, 9099, 9128, 9227]);
  assert.throws(() => reserveRtpPorts(1, locks), /no 1 free media ports in 9000-9255: other tests or benchmarks hold them/);
  a.release();
  const c = reserveRtpPorts(128, locks);
  assert.deepEqual([c.min, c.max], [a.min, a.min + 127]);
  assert.throws(() => reserveRtpPorts(5 * 64, locks), /320 media ports do not fit in the band 9000-9255 \(256 ports\)/);
});

test("a block held by a live process is left alone; one whose owner died is taken over; a reservation names the process that binds it", async (t) => {
  const locks = smallBand(t);
  const owner = spawn("sleep", ["30"]);
  t.after(() => owner.kill());
  const dead = spawnSync("true").pid;
  for (const block of [0, 1, 2]) writeFileSync(join(locks.dir, String(block)), String(block === 1 ? dead : owner.pid));
  const reserved = reserveRtpPorts(64, locks);
  assert.deepEqual([reserved.min, reserved.max], [9064, 9127], "the first block not held by the live process");
  assert.equal(readFileSync(join(locks.dir, "1"), "utf8"), String(process.pid));
  reserved.handOver(owner.pid!);
  assert.equal(readFileSync(join(locks.dir, "1"), "utf8"), String(owner.pid), "handed over to the process that binds the ports");
  reserved.release();
  assert.ok(!readdirSync(locks.dir).includes("1"), "released by the process that reserved it");
});

test("the harness's rtpengine takes its media ports from the band, below the kernel's ephemeral ports", async (t) => {
  const [ephemeralLow] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
  assert.ok(rtpPortBand.max < ephemeralLow!, `the band ends at ${rtpPortBand.max}, the ephemeral ports start at ${ephemeralLow}`);
  const [ngPort] = await findFreePorts(1);
  const engine = await startRtpengine(makeTempDir(t, "rtcgw-rtp-band-"), { ngPort: ngPort!, ports: 64, threads: 1 });
  const offer = [
    "d7:command5:offer7:call-id4:band8:from-tag1:a3:sdp",
    sdp("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"),
    "e",
  ].join("");
  const blockFile = join(tmpdir(), "rtcgw-rtp-ports", String((engine.ports.min - rtpPortBand.min) / 64));
  try {
    assert.equal(readFileSync(blockFile, "utf8"), String(engine.process.pid), "the lock names rtpengine: its ports stay taken while it runs");
    const reply = await engine.command(offer);
    const port = Number(/m=audio (\d+)/.exec(reply)?.[1]);
    assert.ok(
      port >= engine.ports.min && port <= engine.ports.max && engine.ports.max < ephemeralLow!,
      `media port ${port} (${engine.ports.min}-${engine.ports.max})`,
    );
  } finally {
    await engine.process.stop();
  }
  await engine.process.exited;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(existsSync(blockFile), false, `${blockFile} still there after rtpengine stopped`);
});

function sdp(text: string): string {
  return `${Buffer.byteLength(text)}:${text}`;
}
