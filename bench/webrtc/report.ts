// The WebRTC benchmark's table and its reading: loss, setup, CPU per call for each gateway, and the ratios.
import type { FigureResult } from "../capacity-file.ts";
import type { RunResult } from "./run-calls.ts";

// A Markdown table of runs (one row each).
export function formatWebrtcTable(results: RunResult[]): string {
  const header = [
    "gateway",
    "codec (browser → PBX)",
    "calls",
    "offered setups/s",
    "setups ok / failed (by generator)",
    "setup p50 / p99 ms",
    "setups/s",
    "sent",
    "loss %",
    "lost → PBX / → browser",
    "transit → PBX p50 / p99 ms",
    "transit → browser p50 / p99 ms",
    "gateway CPU",
    "CPU per call",
    "setup CPU per call",
    "browsers CPU",
    "generator CPU",
    "late sends",
    "drops at generator",
    "load 1 min",
  ];
  const rows = results.map((r) => {
    const wall = r.media.wallMs || 1;
    const loss = r.media.sent ? (100 * (lostToPbx(r) + lostToBrowser(r))) / r.media.sent : NaN;
    return [
      r.options.gateway,
      r.options.codec === "opus" ? "Opus → PCMU (transcoded)" : "PCMU → PCMU",
      String(r.options.calls),
      String(r.options.rate),
      `${r.setup.established} / ${r.setup.failed} (${r.setup.failedByGenerator})`,
      `${r.setup.p50Ms.toFixed(0)} / ${r.setup.p99Ms.toFixed(0)}`,
      r.setup.achievedRate.toFixed(1),
      String(r.media.sent),
      loss.toFixed(3),
      `${lostToPbx(r)} / ${lostToBrowser(r)}`,
      `${r.media.toB.delayP50Ms.toFixed(1)} / ${r.media.toB.delayP99Ms.toFixed(1)}`,
      `${r.media.toA.delayP50Ms.toFixed(1)} / ${r.media.toA.delayP99Ms.toFixed(1)}`,
      percent(r.cpu.gatewayMs, wall),
      Number.isFinite(perCall(r)) ? `${perCall(r).toFixed(3)} %` : "—",
      `${r.setup.gatewayCpuMsPerCall.toFixed(1)} ms`,
      percent(r.cpu.browsersMs, wall),
      percent(r.cpu.ownMs, wall),
      String(r.media.lateSends),
      String(r.media.generatorDrops),
      r.load[0]!.toFixed(2),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

// The figures the issue asks for: most calls with < 0.1 % loss and every setup good, CPU per call, and rtcgw against Janus.
export function webrtcNotes(results: RunResult[]): string[] {
  const notes = [
    "CPU is % of one core over the audio phase (gateway: every process and thread of it; browsers: the browser rtpengine;",
    "generator: this Node process, which sends and counts the audio and is the PBX stand-in). setup CPU per call: the",
    "gateway's CPU during the setup phase divided by its calls (SIP or Janus API, ICE, DTLS handshake). CPU per call: the",
    "gateway's CPU per packet that arrived × 100 packets per call-second, in % of a core. A setup ends",
    "when the browser's first RTP packet reaches the PBX endpoint. loss: both directions, counted 1 s after the last send.",
    "Janus is measured with PCMU only: it relays media as negotiated and never transcodes, so an Opus browser and a",
    "PCMU-only PBX get no call through it (its SIP plugin offers the PBX the browser's codec: 488). Toward an Opus",
    "browser the encoder still holds each call's last frame when the sending stops: that frame is not counted as lost.",
  ];
  for (const key of new Set(results.map((r) => `${r.options.gateway} ${r.options.codec}`))) {
    const clean = results.filter((r) => `${r.options.gateway} ${r.options.codec}` === key && isClean(r));
    const best = clean.sort((a, b) => b.options.calls - a.options.calls)[0];
    notes.push(
      best
        ? `${key}: most parallel calls with < 0.1 % loss and no failed setup: ${best.options.calls} (CPU per call ${perCall(best).toFixed(3)} % of a core)`
        : `${key}: no run with < 0.1 % loss and no failed setup`,
    );
  }
  for (const r of results)
    notes.push(
      `${r.options.gateway} ${r.options.codec} ${r.options.calls} calls: PBX stand-in got ${JSON.stringify(r.pbxRequests)}; generator event loop stalled up to ${r.eventLoopMaxMs.toFixed(0)} ms`,
    );
  for (const r of results.filter((r) => r.setup.firstError))
    notes.push(`${r.options.gateway} ${r.options.codec} ${r.options.calls} calls: ${r.setup.failed} setups failed, first: ${r.setup.firstError}`);
  for (const r of results.filter((r) => r.options.gateway === "rtcgw" && r.options.codec === "PCMU")) {
    const { calls, rate } = r.options;
    const rtcgw = r;
    // Janus's runs of the same size (offered at its own, lower setup rate).
    const janus = results.find((j) => j.options.gateway === "janus" && j.options.codec === "PCMU" && j.options.calls === calls);
    if (rtcgw && janus && perCall(rtcgw) > 0)
      notes.push(
        `${calls} PCMU calls (rtcgw set up at ${rate}/s, Janus at ${janus.options.rate}/s): Janus uses ${(perCall(janus) / perCall(rtcgw)).toFixed(2)}× rtcgw's CPU per call, i.e. rtcgw carries ${(perCall(janus) / perCall(rtcgw)).toFixed(2)}× the calls per core (target ≥ 1.5×)`,
      );
  }
  return notes;
}

// A run counts when every setup succeeded and less than 0.1 % of the audio was lost.
export function isClean(r: RunResult): boolean {
  return r.setup.failed === 0 && r.media.sent > 0 && (lostToPbx(r) + lostToBrowser(r)) / r.media.sent < 0.001;
}

// Packets the browsers sent that never reached the PBX.
export function lostToPbx(r: RunResult): number {
  return r.media.sent / 2 - r.media.toB.received;
}

// Packets the PBX sent that never reached a browser. Transcoding toward an Opus browser, the encoder still holds the
// last frame of every call when the sending stops (it shows as 20 ms more transit): that frame is not counted as lost.
export function lostToBrowser(r: RunResult): number {
  const heldByEncoder = r.options.codec === "opus" ? r.setup.established : 0;
  return Math.max(0, r.media.sent / 2 - r.media.toA.received - heldByEncoder);
}

// The gateway's CPU per call in % of one core: its CPU per packet that arrived, times the 100 packets a call carries
// each second (50 each way). Per packet rather than per wall second, so a run in which the busy machine kept the
// generator from sending still compares the gateways' work, not how long they waited for packets.
export function perCall(r: RunResult): number {
  const arrived = r.media.toA.received + r.media.toB.received;
  return arrived > 0 ? (((1000 * r.cpu.gatewayMs) / arrived) * packetsPerCallSecond) / 1e4 : NaN;
}

/** Packets one call carries per second: 20 ms packets both ways. */
const packetsPerCallSecond = 100;

function percent(ms: number, wallMs: number, digits = 0): string {
  return `${((100 * ms) / wallMs).toFixed(digits)} %`;
}

// The capacity file's figures from rtcgw's runs: most clean PCMU and Opus calls (the limit when a larger run was not
// clean), and the highest offered setup rate at which no rtcgw call setup failed (the limit when a higher one failed).
export function webrtcCapacityFigures(results: RunResult[]): Partial<Record<"webrtcCalls" | "transcodedCalls" | "webrtcSetupsPerSecond", FigureResult>> {
  const rtcgw = results.filter((r) => r.options.gateway === "rtcgw");
  const figures: Partial<Record<"webrtcCalls" | "transcodedCalls" | "webrtcSetupsPerSecond", FigureResult>> = {};
  for (const [name, codec] of [
    ["webrtcCalls", "PCMU"],
    ["transcodedCalls", "opus"],
  ] as const) {
    const runs = rtcgw.filter((r) => r.options.codec === codec);
    const best = runs.filter(isClean).sort((a, b) => b.options.calls - a.options.calls)[0];
    if (best) figures[name] = { value: best.options.calls, limitFound: runs.some((r) => r.options.calls > best.options.calls), loadAverage: best.load[0]! };
  }
  const failedAt = (rate: number) => rtcgw.some((r) => r.options.rate === rate && r.setup.failed > 0);
  const cleanRates = [...new Set(rtcgw.map((r) => r.options.rate))].filter((rate) => !failedAt(rate)).sort((a, b) => b - a);
  if (cleanRates[0] !== undefined) {
    const rate = cleanRates[0];
    figures.webrtcSetupsPerSecond = {
      value: rate,
      limitFound: rtcgw.some((r) => r.options.rate > rate),
      loadAverage: Math.max(...rtcgw.filter((r) => r.options.rate === rate).map((r) => r.load[0]!)),
    };
  }
  return figures;
}
