// Benchmark of the media service (not a test): rooms × participants of real SIP calls and RTP over loopback UDP
// against the bundled service in its own process. Reports CPU per mixed leg, legs per core and late frames.
//
//   npx tsx bench/media.ts                          # the default matrix
//   npx tsx bench/media.ts --rooms 125 --per-room 4 --seconds 10
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { bundleMediaServiceScript } from "../gateway/media/bundle-media-service.ts";
import { encodeG711 } from "../gateway/media/audio/g711.ts";
import { createRtpSender, writeRtpPacket, type RtpSenderState } from "../gateway/media/audio/rtp.ts";
import { startFrameClock, type FrameClockStats } from "../gateway/media/audio/frame-clock.ts";

interface Leg {
  callId: string;
  rtp: Socket;
  sender: RtpSenderState;
  remotePort: number;
  received: number;
  frame: number;
}
interface Result {
  rooms: number;
  perRoom: number;
  legs: number;
  seconds: number;
  cpuPercent: number;
  cpuPerLegPercent: number;
  legsPerCore: number;
  received: number;
  expected: number;
  lateFrames: number;
  maxLateMs: number;
  ticks: number;
  skipped: number;
  mixMsPerFrame: number;
  maxTickMs: number;
  realtime: boolean;
  load: string;
}

const clockTicksPerSecond = 100;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const seconds = option("--seconds", 8);
  // --realtime runs the service under SCHED_FIFO (chrt, root only) to separate its own lateness from a busy shared machine's.
  const realtime = args.includes("--realtime");
  const burst = args.includes("--burst");
  const matrix = args.includes("--rooms")
    ? [[option("--rooms", 1), option("--per-room", 4)] as const]
    : ([
        [1, 4],
        [25, 4],
        [125, 4],
        [25, 20],
        [200, 4],
      ] as const);
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-bench-"));
  const script = join(dir, "media-service.mjs");
  writeFileSync(script, await bundleMediaServiceScript());
  const results: Result[] = [];
  try {
    for (const [rooms, perRoom] of matrix) results.push(await runCase(script, rooms, perRoom, seconds, realtime, burst));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\n| rooms × participants | legs | service CPU | CPU per leg | legs per core | mix per frame (max) | frames > 5 ms late | max lateness | RTP received | load avg |${realtime ? " service under SCHED_FIFO" : ""}${burst ? " all legs sent in one burst" : ""}`,
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.rooms} × ${r.perRoom} | ${r.legs} | ${r.cpuPercent.toFixed(1)} % | ${r.cpuPerLegPercent.toFixed(3)} % | ${Math.floor(r.legsPerCore)} | ${r.mixMsPerFrame.toFixed(2)} ms (${r.maxTickMs.toFixed(1)} ms) | ${r.lateFrames} of ${r.ticks} | ${r.maxLateMs.toFixed(1)} ms | ${((100 * r.received) / r.expected).toFixed(1)} % | ${r.load} |`,
    );
  }
}

async function runCase(script: string, rooms: number, perRoom: number, seconds: number, realtime: boolean, burst: boolean): Promise<Result> {
  const legsCount = rooms * perRoom;
  const command = realtime ? ["chrt", "-f", "10", process.execPath] : [process.execPath];
  const child = spawn(
    command[0]!,
    [
      ...command.slice(1),
      script,
      "--port",
      "0",
      "--room-limit",
      String(rooms),
      "--participant-limit",
      String(perRoom),
      "--max-dialogs",
      String(legsCount + 10),
      "--rtp-timeout-ms",
      "60000",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  try {
    const port = Number(await waitFor(() => lines.map((l) => /on 127\.0\.0\.1:([0-9]+)/.exec(l)?.[1]).find(Boolean)));
    const sip = await bind();
    const legs = new Map<string, Leg>();
    const answers = new Map<string, (port: number) => void>();
    sip.on("message", (data) => {
      const text = data.toString();
      const callId = /\r\nCall-ID: ([^\r]+)/i.exec(text)?.[1] ?? "";
      if (text.startsWith("SIP/2.0 200") && /CSeq: 1 INVITE/.test(text)) answers.get(callId)?.(Number(/m=audio ([0-9]+)/.exec(text)?.[1]));
    });
    for (let room = 0; room < rooms; room++) {
      for (let p = 0; p < perRoom; p++) {
        const leg = await call(sip, port, String(10_000_000 + room), answers);
        leg.frame = (room * perRoom + p) % tones.length;
        legs.set(leg.callId, leg);
      }
    }
    // A drift-free clock sends every leg's frame, each leg a different tone, so every listener needs its own mix.
    // Real callers are not in phase: the legs are spread over four 5 ms slots (--burst sends them all at once).
    const slots = burst ? 1 : 4;
    const all = [...legs.values()];
    let slot = 0;
    const clock = startFrameClock(
      () => {
        for (let i = slot; i < all.length; i += slots) {
          const leg = all[i]!;
          const packet = Buffer.allocUnsafe(172);
          writeRtpPacket(leg.sender, 0, tones[leg.frame]!, packet);
          leg.rtp.send(packet, leg.remotePort, "127.0.0.1");
        }
        slot = (slot + 1) % slots;
      },
      { intervalMs: 20 / slots },
    );
    await sleep(2000);
    const startCpu = readCpuTicks(child);
    await readStats(child, lines);
    for (const leg of legs.values()) leg.received = 0;
    await sleep(seconds * 1000);
    const endCpu = readCpuTicks(child);
    const window = (await readStats(child, lines)).window;
    const received = [...legs.values()].reduce((total, leg) => total + leg.received, 0);
    clock.stop();
    for (const leg of legs.values()) {
      sip.send(bye(leg.callId, port, sip.address().port), port, "127.0.0.1");
      leg.rtp.close();
    }
    await sleep(200);
    sip.close();
    const cpuPercent = ((endCpu - startCpu) / clockTicksPerSecond / seconds) * 100;
    const result: Result = {
      rooms,
      perRoom,
      legs: legsCount,
      seconds,
      cpuPercent,
      cpuPerLegPercent: cpuPercent / legsCount,
      legsPerCore: (100 / cpuPercent) * legsCount,
      received,
      expected: legsCount * seconds * 50,
      lateFrames: window.lateTicks,
      maxLateMs: window.maxLateMs,
      ticks: window.ticks,
      skipped: window.skippedTicks,
      mixMsPerFrame: window.busyMs / Math.max(1, window.ticks),
      maxTickMs: window.maxTickMs,
      realtime,
      load: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    child.kill("SIGTERM");
  }
}

const tones = [300, 440, 523, 660, 880, 1000, 1200, 1500].map((frequency) => {
  const samples = Int16Array.from({ length: 160 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * frequency * i) / 8000)));
  const payload = new Uint8Array(160);
  encodeG711("PCMU", samples, payload);
  return payload;
});

async function call(sip: Socket, port: number, user: string, answers: Map<string, (port: number) => void>): Promise<Leg> {
  const rtp = await bind();
  const callId = `${randomBytes(8).toString("hex")}@bench`;
  const leg: Leg = { callId, rtp, sender: createRtpSender(), remotePort: 0, received: 0, frame: 0 };
  rtp.on("message", () => leg.received++);
  const local = sip.address().port;
  const sdp = ["v=0", "o=bench 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", `m=audio ${rtp.address().port} RTP/AVP 0`, "a=sendrecv", ""].join(
    "\r\n",
  );
  const head = (method: string, branch: string, extra: string[]) => [
    `${method} sip:${user}@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch}`,
    "Max-Forwards: 70",
    `From: <sip:bench@127.0.0.1>;tag=${callId.slice(0, 8)}`,
    `To: <sip:${user}@127.0.0.1>${extra[0] ?? ""}`,
    `Call-ID: ${callId}`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:bench@127.0.0.1:${local}>`,
  ];
  const answered = new Promise<{ port: number }>((resolve) => answers.set(callId, (p) => resolve({ port: p })));
  sip.send(
    `${head("INVITE", `z9hG4bK${callId.slice(0, 10)}`, []).join("\r\n")}\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
    port,
    "127.0.0.1",
  );
  leg.remotePort = (await answered).port;
  answers.delete(callId);
  sip.send(
    `${head("ACK", `z9hG4bKa${callId.slice(0, 10)}`, [])
      .join("\r\n")
      .replace("CSeq: 1 ACK", "CSeq: 1 ACK")}\r\nContent-Length: 0\r\n\r\n`,
    port,
    "127.0.0.1",
  );
  return leg;
}

function bye(callId: string, port: number, local: number): string {
  void local;
  return `BYE sip:x@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKb${callId.slice(0, 10)}\r\nFrom: <sip:bench@127.0.0.1>;tag=${callId.slice(0, 8)}\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: ${callId}\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n`;
}

function readCpuTicks(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function readStats(child: ChildProcess, lines: string[]): Promise<{ window: FrameClockStats }> {
  const from = lines.length;
  child.kill("SIGUSR2");
  const line = await waitFor(() => lines.slice(from).find((l) => l.startsWith('{"stats"')));
  return JSON.parse(line) as { window: FrameClockStats };
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found) return found;
    await sleep(50);
  }
  throw new Error("timed out");
}

function bind(): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve) => socket.bind(0, "127.0.0.1", () => resolve(socket)));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

await main();
