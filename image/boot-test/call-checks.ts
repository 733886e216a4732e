// Pure: the boot test's verdicts on its two WebRTC calls. The echo call passes when audio flowed both ways (at
// least half of the browser's packets reached the PBX stand-in's echo, and at least half as many came back to the
// browser decrypted: TCG emulation and transcoding may lose some, a broken path loses all) and the BYE was
// answered with 200; the music call when the browser heard at least `minimumPackets` and the BYE was answered.
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import type { CallMedia } from "../smoke/place-webrtc-call.ts";

/** The share of the sent packets each direction must carry. */
export const echoShare = 0.5;

/** What the PBX stand-in's echo saw of the call, from its BYE line; undefined when no BYE reached it. */
export interface EchoSide {
  echoed: number;
  payloadTypes: number[];
}

// The echo call's check: `call` from the browser, `echo` from the PBX stand-in.
export function judgeEchoCall(name: string, call: CallMedia, echo: EchoSide | undefined): SmokeCheck {
  const retried = call.attempts > 1 ? ` (${call.attempts} attempts: DTLS-SRTP stalled before)` : "";
  if (call.failure) return { name, ok: false, detail: `${call.failure}${retried}` };
  const minimum = Math.ceil(call.sent * echoShare);
  const problems = [
    echo === undefined ? "the PBX stand-in got no BYE" : echo.echoed >= minimum ? "" : `the PBX side got fewer than ${minimum}`,
    call.received >= minimum ? "" : `the browser got fewer than ${minimum} back`,
    /^SIP\/2\.0 200 /.test(call.hangUp) ? "" : `the BYE: ${call.hangUp}`,
  ].filter(Boolean);
  const pbxSide = echo === undefined ? "?" : `${echo.echoed} (payload types ${echo.payloadTypes.join(", ") || "none"})`;
  const counts = `${call.codec ?? "no codec"}: the browser sent ${call.sent}, the PBX side received and echoed ${pbxSide}, the browser got ${call.received} back decrypted; BYE: ${call.hangUp}${retried}`;
  return { name, ok: problems.length === 0, detail: problems.length ? `${problems.join("; ")} (${counts})` : counts };
}

// The music call's check.
export function judgeMusicCall(name: string, call: CallMedia, minimumPackets: number, listenedMs: number): SmokeCheck {
  const retried = call.attempts > 1 ? ` (${call.attempts} attempts: DTLS-SRTP stalled before)` : "";
  if (call.failure) return { name, ok: false, detail: `${call.failure}${retried}` };
  const problems = [
    call.received >= minimumPackets ? "" : `fewer than ${minimumPackets} audio packets`,
    /^SIP\/2\.0 200 /.test(call.hangUp) ? "" : `the BYE: ${call.hangUp}`,
  ].filter(Boolean);
  const counts = `${call.codec ?? "no codec"}: the browser got ${call.received} audio packets decrypted in ${(listenedMs / 1000).toFixed(1)} s (at least ${minimumPackets} expected); BYE: ${call.hangUp}${retried}`;
  return { name, ok: problems.length === 0, detail: problems.length ? `${problems.join("; ")} (${counts})` : counts };
}
