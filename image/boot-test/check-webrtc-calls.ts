// The boot test's WebRTC calls, placed as a browser places them: the browser stand-in (JsSIP over WSS, werift with
// ICE and DTLS-SRTP) registers, calls a user the dial plan relays to the PBX stand-in (which answers with PCMU and
// echoes RTP) twice — offering Opus and PCMU as Chromium does (the gateway passes PCMU through), then offering Opus
// only (the VM's rtpengine transcodes Opus ↔ PCMU) — then calls music (the gateway's own media service); each call
// is hung up with BYE.
import { placeWebRtcCall, type CallPlan } from "../smoke/place-webrtc-call.ts";
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import { startBrowser, type AudioCodec } from "../smoke/webrtc-browser.ts";
import { judgeEchoCall, judgeMusicCall, type PayloadTypeCounts } from "./call-checks.ts";
import type { CallTargets } from "./call-targets-plan.ts";
import { waitForLine } from "./pbx-standin-process.ts";

/** Where the browser connects and whom it calls. */
export interface WebRtcCallsPlan {
  /** The gateway's WebSocket, `wss://host:port/` (any certificate). */
  url: string;
  domain: string;
  /** The browser's own address, where its ICE candidates are. */
  mediaAddress: string;
  targets: CallTargets;
  /** Answers to a challenge, if the PBX side sends one (the stand-in does not). */
  user: string;
  password: string;
}

/** 3 s of audio to the echo, 1 s to music (a browser sends its microphone there too); then a while to listen. */
const echoCall = { send: 150, listenMs: 1500 };
const musicCall = { send: 50, listenMs: 3000 };
/** Music plays 50 packets a second: a quarter of that over the call is heard audio under TCG too. */
const musicShare = 0.25;
const stepTimeoutMs = 15_000;
const attempts = 3;

// Places the calls `plan.targets` names (none for a target with a reason instead of a user); `pbxLines` are the
// PBX stand-in's request lines. Never throws.
export async function checkWebRtcCalls(plan: WebRtcCallsPlan, pbxLines: string[]): Promise<SmokeCheck[]> {
  const { pbx, music } = plan.targets;
  const names = {
    pbx:
      "user" in pbx
        ? `a WebRTC call to ${pbx.user} (the dial plan's PBX route): audio both ways through the VM's rtpengine and the PBX stand-in's echo, BYE ends it`
        : "",
    opus:
      "user" in pbx
        ? `a WebRTC call to ${pbx.user} offering Opus only (the dial plan's PBX route): the VM's rtpengine transcodes Opus ↔ PCMU, audio both ways through the PBX stand-in's echo, BYE ends it`
        : "",
    music: "user" in music ? `a WebRTC call to ${music.user} (the dial plan's music route): the VM's media service plays audio, BYE ends it` : "",
  };
  const wanted = (["pbx", "opus", "music"] as const).filter((call) => names[call] !== "");
  if (wanted.length === 0) return [];
  let browser;
  try {
    browser = await startBrowser(plan.url, plan.user, plan.domain, plan.password, { mediaAddress: plan.mediaAddress });
  } catch (error) {
    return wanted.map((call) => ({ name: names[call], ok: false, detail: (error as Error).message }));
  }
  try {
    // Logged in, as a browser on /tryit/ with an account is (the REGISTER check above tells whether it got through).
    await browser.register();
    const checks: SmokeCheck[] = [];
    const call = (user: string, talk: { send: number; listenMs: number }, audioCodecs?: AudioCodec[]): CallPlan => ({
      target: `sip:${user}@${plan.domain}`,
      ...(audioCodecs ? { audioCodecs } : {}),
      ...talk,
      timeoutMs: stepTimeoutMs,
      attempts,
    });
    // Each attempt ends with a BYE to the stand-in, whose line counts the echo's packets per payload type since it
    // started: a call's packets are the difference to the last BYE line before it.
    const callEcho = async (user: string, audioCodecs?: AudioCodec[]) => {
      const before = byeLines(pbxLines).length;
      const media = await placeWebRtcCall(browser, call(user, echoCall, audioCodecs));
      await waitForLine(pbxLines, () => byeLines(pbxLines).length >= before + media.attempts, 2000);
      const bye = byeLines(pbxLines);
      const echo = bye.length > before ? subtract(echoedPerPayloadType(bye.at(-1)!), before > 0 ? echoedPerPayloadType(bye[before - 1]!) : {}) : undefined;
      return { media, echo };
    };
    if ("user" in pbx) {
      const passed = await callEcho(pbx.user);
      checks.push(judgeEchoCall(names.pbx, passed.media, passed.echo));
      const transcoded = await callEcho(pbx.user, ["opus"]);
      checks.push(judgeEchoCall(names.opus, transcoded.media, transcoded.echo, "audio/opus"));
    }
    if ("user" in music) {
      const media = await placeWebRtcCall(browser, call(music.user, musicCall));
      const listenedMs = musicCall.send * 20 + musicCall.listenMs;
      checks.push(judgeMusicCall(names.music, media, Math.round((listenedMs / 20) * musicShare), listenedMs));
    }
    return checks;
  } finally {
    browser.stop();
  }
}

function echoedPerPayloadType(byeLine: string): PayloadTypeCounts {
  return (JSON.parse(byeLine) as { rtp: { perPayloadType: PayloadTypeCounts } }).rtp.perPayloadType;
}

function subtract(counts: PayloadTypeCounts, earlier: PayloadTypeCounts): PayloadTypeCounts {
  return Object.fromEntries(Object.entries(counts).map(([type, count]) => [type, count - (earlier[Number(type)] ?? 0)]));
}

function byeLines(lines: string[]): string[] {
  return lines.filter((line) => line.includes('"method":"BYE"'));
}
