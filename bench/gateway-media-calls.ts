// Media calls set up directly over rtpengine's ng control protocol: offer from endpoint A, answer from
// endpoint B, plain RTP/AVP PCMU on A's leg and RTP/AVP or SDES RTP/SAVP on B's leg.
import { randomBytes } from "node:crypto";
import { decodeBencode, encodeBencode, type BencodeValue } from "../gateway/agent/control/bencode.ts";
import type { RunningRtpengine } from "../test/harness/rtpengine.ts";
import { srtpSuite } from "./gateway-media-srtp.ts";

/** B's leg: plain RTP, or SRTP keyed by SDES (approximates the WebRTC leg's per-packet crypto). */
export type LegSecurity = "rtp" | "sdes-srtp";

/** One anchored call: where each endpoint must send its RTP, and B's leg keys when it is SRTP. */
export interface AnchoredCall {
  callId: string;
  /** rtpengine's port for A's leg (A sends here, A receives from here). */
  portForA: number;
  /** rtpengine's port for B's leg. */
  portForB: number;
  /** SDES keys of B's leg: what B sends with, and what rtpengine encrypts toward B with. */
  keys?: { fromB: string; toB: string };
}

const address = "127.0.0.1";

// Sends one ng command and returns the decoded reply dictionary; an error reply or a timeout throws (one retry on timeout).
export async function ngCommand(engine: RunningRtpengine, message: Record<string, BencodeValue>): Promise<Record<string, BencodeValue>> {
  const text = encodeBencode(message).toString("latin1");
  const raw = await engine.command(text).catch(() => engine.command(text));
  const reply = decodeBencode(Buffer.from(raw, "latin1")) as Record<string, BencodeValue>;
  if (reply.result !== "ok") throw new Error(`rtpengine ${String(message.command)}: ${String(reply.result)} ${String(reply["error-reason"] ?? "")}`);
  return reply;
}

// Creates one call: A offers PCMU from `portA`, B answers from `portB` (with `bKey` as its SDES key on an SRTP leg).
export async function createCall(
  engine: RunningRtpengine,
  index: number,
  portA: number,
  portB: number,
  security: LegSecurity,
  bKey: string,
): Promise<AnchoredCall> {
  const callId = `bench-media-${index}-${randomBytes(4).toString("hex")}`;
  const offer = await ngCommand(engine, {
    command: "offer",
    "call-id": callId,
    "from-tag": "a",
    sdp: sdp(portA, "RTP/AVP"),
    flags: ["trust-address"],
    replace: ["origin", "session-connection"],
    ICE: "remove",
    "transport-protocol": security === "rtp" ? "RTP/AVP" : "RTP/SAVP",
  });
  const offerToB = String(offer.sdp);
  const portForB = mediaPort(offerToB);
  let keys: AnchoredCall["keys"];
  let answerSdp = sdp(portB, "RTP/AVP");
  if (security === "sdes-srtp") {
    const crypto = new RegExp(`^a=crypto:(\\d+) ${srtpSuite} inline:([A-Za-z0-9+/=]+)`, "m").exec(offerToB);
    if (!crypto) throw new Error(`rtpengine offered no ${srtpSuite}:\n${offerToB}`);
    keys = { fromB: bKey, toB: crypto[2]! };
    answerSdp = sdp(portB, "RTP/SAVP", `a=crypto:${crypto[1]} ${srtpSuite} inline:${bKey}`);
  }
  const answer = await ngCommand(engine, {
    command: "answer",
    "call-id": callId,
    "from-tag": "a",
    "to-tag": "b",
    sdp: answerSdp,
    flags: ["trust-address"],
    replace: ["origin", "session-connection"],
  });
  return { callId, portForA: mediaPort(String(answer.sdp)), portForB, ...(keys ? { keys } : {}) };
}

// Deletes a call in rtpengine (no error when it is already gone).
export async function deleteCall(engine: RunningRtpengine, callId: string): Promise<void> {
  await ngCommand(engine, { command: "delete", "call-id": callId }).catch(() => undefined);
}

// How many calls rtpengine holds (ng `list` with a limit above any run; its default limit is 32).
export async function countCalls(engine: RunningRtpengine): Promise<number> {
  const reply = await ngCommand(engine, { command: "list", limit: 100000 });
  return Array.isArray(reply.calls) ? reply.calls.length : NaN;
}

// A one-stream audio SDP on 127.0.0.1: PCMU, 20 ms.
function sdp(port: number, protocol: string, extra?: string): string {
  const lines = [
    "v=0",
    `o=- ${port} 1 IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    `m=audio ${port} ${protocol} 0`,
    "a=rtpmap:0 PCMU/8000",
    "a=ptime:20",
    "a=sendrecv",
    ...(extra ? [extra] : []),
  ];
  return `${lines.join("\r\n")}\r\n`;
}

// The port of the first audio m-line of an SDP body.
export function mediaPort(body: string): number {
  const match = /^m=audio (\d+) /m.exec(body);
  if (!match) throw new Error(`no audio m-line in rtpengine's SDP:\n${body}`);
  return Number(match[1]);
}
