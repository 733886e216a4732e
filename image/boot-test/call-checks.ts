// Pure: the boot test's verdicts on its WebRTC calls. An echo call passes when audio flowed both ways in the right
// codec each way (at least half of the browser's packets reached the PBX stand-in's echo as PCMU, the one codec it
// answers, and at least half as many came back to the browser decrypted in its own codec's payload type: TCG
// emulation and transcoding may lose some, a broken path loses all), the browser sent the codec the call wanted,
// and the BYE was answered with 200; the music call when the browser heard at least `minimumPackets` and the BYE
// was answered.
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import type { CallMedia } from "../smoke/place-webrtc-call.ts";

/** The share of the sent packets each direction must carry. */
export const echoShare = 0.5;

/** The PBX stand-in answers PCMU only (smoke/sip-messages.ts): what reaches its echo must be payload type 0. */
export const pbxPayloadType = 0;

/** RTP packets per payload type. */
export type PayloadTypeCounts = Record<number, number>;

// The echo call's check: `call` from the browser; `echo`, the packets per payload type the PBX stand-in's echo got
// during the call (undefined when no BYE reached it); `codec`, the codec the browser must have sent (any unless given).
export function judgeEchoCall(name: string, call: CallMedia, echo: PayloadTypeCounts | undefined, codec?: string): SmokeCheck {
  const retried = call.attempts > 1 ? ` (${call.attempts} attempts: DTLS-SRTP stalled before)` : "";
  if (call.failure) return { name, ok: false, detail: `${call.failure}${retried}` };
  const minimum = Math.ceil(call.sent * echoShare);
  const atPbx = echo?.[pbxPayloadType] ?? 0;
  const strangersAtPbx = echo === undefined ? "" : describeOthers(echo, pbxPayloadType);
  const back = call.payloadType === undefined ? 0 : (call.receivedPerPayloadType[call.payloadType] ?? 0);
  const strangersBack = call.payloadType === undefined ? "" : describeOthers(call.receivedPerPayloadType, call.payloadType);
  const problems = [
    codec === undefined || call.codec?.toLowerCase() === codec.toLowerCase()
      ? ""
      : `the browser sends ${call.codec ?? "no codec"}, not ${codec}: the gateway did not negotiate ${codec} with it`,
    echo === undefined ? "the PBX stand-in got no BYE" : atPbx >= minimum ? "" : `the PBX side got fewer than ${minimum} PCMU (payload type ${pbxPayloadType})`,
    strangersAtPbx && `the PBX side, which answered PCMU only, got ${strangersAtPbx}: the VM's rtpengine did not transcode to PCMU`,
    back >= minimum ? "" : `the browser got fewer than ${minimum} back in its codec's payload type ${call.payloadType ?? "?"}`,
    strangersBack && `the browser got ${strangersBack} back, not its codec's payload type ${call.payloadType}`,
    /^SIP\/2\.0 200 /.test(call.hangUp) ? "" : `the BYE: ${call.hangUp}`,
  ].filter(Boolean);
  const pbxSide = echo === undefined ? "?" : `${sum(echo)} (${describe(echo)})`;
  const sent = `${call.codec ?? "no codec"}${call.payloadType === undefined ? "" : ` (payload type ${call.payloadType})`}`;
  const counts = `${sent}: the browser sent ${call.sent}, the PBX side received and echoed ${pbxSide}, the browser got ${call.received} back decrypted (${describe(call.receivedPerPayloadType)}); BYE: ${call.hangUp}${took(call)}${retried}`;
  return { name, ok: problems.length === 0, detail: problems.length ? `${problems.join("; ")} (${counts})` : counts };
}

// "; 5.8 s in all": how long the call took, from INVITE to the BYE's response.
function took(call: CallMedia): string {
  return call.seconds === undefined ? "" : `; ${call.seconds.toFixed(1)} s in all`;
}

// "payload types 0: 148, 111: 2", or "no packets".
function describe(counts: PayloadTypeCounts): string {
  const entries = Object.entries(counts).filter(([, count]) => count > 0);
  return entries.length ? `payload types ${entries.map(([type, count]) => `${type}: ${count}`).join(", ")}` : "no packets";
}

// The payload types other than `expected`, described, or "" when there are none.
function describeOthers(counts: PayloadTypeCounts, expected: number): string {
  const others = Object.fromEntries(Object.entries(counts).filter(([type, count]) => Number(type) !== expected && count > 0));
  return Object.keys(others).length ? describe(others) : "";
}

function sum(counts: PayloadTypeCounts): number {
  return Object.values(counts).reduce((total, count) => total + count, 0);
}

// The music call's check.
export function judgeMusicCall(name: string, call: CallMedia, minimumPackets: number, listenedMs: number): SmokeCheck {
  const retried = call.attempts > 1 ? ` (${call.attempts} attempts: DTLS-SRTP stalled before)` : "";
  if (call.failure) return { name, ok: false, detail: `${call.failure}${retried}` };
  const problems = [
    call.received >= minimumPackets ? "" : `fewer than ${minimumPackets} audio packets`,
    /^SIP\/2\.0 200 /.test(call.hangUp) ? "" : `the BYE: ${call.hangUp}`,
  ].filter(Boolean);
  const counts = `${call.codec ?? "no codec"}: the browser got ${call.received} audio packets decrypted in ${(listenedMs / 1000).toFixed(1)} s (at least ${minimumPackets} expected); BYE: ${call.hangUp}${took(call)}${retried}`;
  return { name, ok: problems.length === 0, detail: problems.length ? `${problems.join("; ")} (${counts})` : counts };
}
