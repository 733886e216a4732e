// One WebRTC call as a browser places it, for the boot test: the browser stand-in (webrtc-browser.ts) dials over
// its WebSocket, waits for ICE and DTLS-SRTP, sends 20 ms audio packets, listens a while longer, counts the audio
// it received decrypted (per payload type), hangs up with BYE and waits for the BYE's final response. Resolves to what the call
// carried; never throws.
import { connectionOf, type AudioCodec, type Browser } from "./webrtc-browser.ts";

/** What to dial and how long to talk. */
export interface CallPlan {
  /** The Request-URI, `sip:user@domain`. */
  target: string;
  /** What the browser offers, in order (Opus and PCMU unless given). */
  audioCodecs?: AudioCodec[];
  /** 20 ms audio packets the browser sends once DTLS-SRTP is up. */
  send: number;
  /** How long the browser keeps listening after its last packet. */
  listenMs: number;
  /** Per step: the answer, DTLS-SRTP, the BYE's response. */
  timeoutMs: number;
  /** Calls dialled again when DTLS-SRTP does not come up (see below). */
  attempts: number;
}

/** What one call carried. */
export interface CallMedia {
  /** Why the call carried no media (not answered, DTLS-SRTP not up), or undefined. */
  failure?: string;
  /** Calls dialled (more than one when DTLS-SRTP stalled). */
  attempts: number;
  /** The audio codec the browser sends (as the gateway negotiated it) and its payload type. */
  codec?: string;
  payloadType?: number;
  sent: number;
  /** Audio packets the browser received and decrypted, in all and per payload type. */
  received: number;
  receivedPerPayloadType: Record<number, number>;
  /** The BYE's final response line, or why there is none. */
  hangUp: string;
  /** From the first INVITE to the BYE's final response (what the call adds to a boot test), when it carried media. */
  seconds?: number;
}

// Places `plan`'s call from `browser`.
export async function placeWebRtcCall(browser: Browser, plan: CallPlan): Promise<CallMedia> {
  let session: any;
  let attempts = 0;
  const started = Date.now();
  let failure: string | undefined;
  // About one call in 10–20 stalls in werift ↔ rtpengine's DTLS handshake (test/gateway/media-gateway.test.ts
  // tells the story): such a call is hung up and dialled again, and the attempts are reported.
  while (attempts < plan.attempts) {
    attempts++;
    try {
      session = await withTimeout(
        browser.call(plan.target, plan.audioCodecs ? { audioCodecs: plan.audioCodecs } : {}),
        plan.timeoutMs,
        `no answer to the INVITE within ${plan.timeoutMs} ms`,
      );
    } catch (error) {
      return { failure: (error as Error).message, attempts, sent: 0, received: 0, receivedPerPayloadType: {}, hangUp: "no call to hang up" };
    }
    try {
      await connectionOf(session).waitConnected("audio", plan.timeoutMs);
      failure = undefined;
      break;
    } catch (error) {
      failure = `answered, but DTLS-SRTP did not come up: ${(error as Error).message}`;
      session.terminate();
    }
  }
  if (failure) return { failure, attempts, sent: 0, received: 0, receivedPerPayloadType: {}, hangUp: "hung up after the failed attempts" };
  const pc = connectionOf(session);
  const negotiated = pc.getSenders().find((sender) => sender.track?.kind === "audio")?.codec;
  try {
    await pc.sendAudio(plan.send);
  } catch (error) {
    failure = `sending audio failed: ${(error as Error).message}`;
  }
  await new Promise((resolve) => setTimeout(resolve, plan.listenMs));
  const received = pc.received.audio;
  const receivedPerPayloadType = { ...pc.receivedAudioPayloadTypes };
  const callId: string = session._request?.call_id ?? "";
  session.terminate();
  const hangUp = await waitForByeResponse(browser, callId, plan.timeoutMs);
  return {
    ...(failure ? { failure } : {}),
    attempts,
    ...(negotiated ? { codec: negotiated.mimeType, payloadType: negotiated.payloadType } : {}),
    sent: failure ? 0 : plan.send,
    received,
    receivedPerPayloadType,
    hangUp,
    seconds: (Date.now() - started) / 1000,
  };
}

// The final response to this call's BYE among the messages the browser received.
async function waitForByeResponse(browser: Browser, callId: string, timeoutMs: number): Promise<string> {
  const isByeResponse = (message: string) =>
    /^SIP\/2\.0 [2-6]\d\d /.test(message) &&
    /^CSeq:\s*\d+ BYE\s*$/im.test(message) &&
    new RegExp(`^(Call-ID|i):\\s*${escape(callId)}\\s*$`, "im").test(message);
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const response = browser.received.find(isByeResponse);
    if (response) return response.split("\r\n")[0]!;
  }
  return `no final response to the BYE within ${timeoutMs} ms`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
