// The boot test's WebRTC calls, placed as a browser places them: the browser stand-in (JsSIP over WSS, werift with
// ICE and DTLS-SRTP) registers, calls a user the dial plan relays to the PBX stand-in (which answers with PCMU and
// echoes RTP), then calls music (the gateway's own media service); each call is hung up with BYE.
import { placeWebRtcCall, type CallPlan } from "../smoke/place-webrtc-call.ts";
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import { startBrowser } from "../smoke/webrtc-browser.ts";
import { judgeEchoCall, judgeMusicCall, type EchoSide } from "./call-checks.ts";
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
    music: "user" in music ? `a WebRTC call to ${music.user} (the dial plan's music route): the VM's media service plays audio, BYE ends it` : "",
  };
  const wanted = (["pbx", "music"] as const).filter((call) => names[call] !== "");
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
    const call = (user: string, talk: { send: number; listenMs: number }): CallPlan => ({
      target: `sip:${user}@${plan.domain}`,
      ...talk,
      timeoutMs: stepTimeoutMs,
      attempts,
    });
    if ("user" in pbx) {
      const before = byeLines(pbxLines).length;
      const media = await placeWebRtcCall(browser, call(pbx.user, echoCall));
      // Each attempt ends with a BYE to the stand-in, whose line counts the echo's packets since it started.
      await waitForLine(pbxLines, () => byeLines(pbxLines).length >= before + media.attempts, 2000);
      const bye = byeLines(pbxLines);
      const echo = bye.length > before ? echoSide(bye.at(-1)!) : undefined;
      const earlier = before > 0 ? echoSide(bye[before - 1]!).echoed : 0;
      checks.push(judgeEchoCall(names.pbx, media, echo && { ...echo, echoed: echo.echoed - earlier }));
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

function echoSide(byeLine: string): EchoSide {
  return (JSON.parse(byeLine) as { rtp: EchoSide }).rtp;
}

function byeLines(lines: string[]): string[] {
  return lines.filter((line) => line.includes('"method":"BYE"'));
}
