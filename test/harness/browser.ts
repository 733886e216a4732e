// A browser stand-in: JsSIP (the real WebRTC SIP stack of many web phones) over `ws`, with werift as
// RTCPeerConnection so ICE, DTLS-SRTP and RTP are real. It sends PCMU-sized audio packets and counts
// what comes back.
import JsSIP from "jssip";
import WebSocket from "ws";
import { MediaStream, MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";

/** A running JsSIP user agent with its media counters. */
export interface Browser {
  ua: any;
  /** Every SIP message this browser received over its WebSocket, in order. */
  received: string[];
  /** Registers and resolves with the final REGISTER response status. */
  register(): Promise<number>;
  /** Calls `target`; resolves with the session once it is confirmed (or rejects with the failure cause). */
  call(target: string, options?: { video?: boolean }): Promise<any>;
  /** Resolves with the next incoming session, answered. */
  answerNext(): Promise<any>;
  stop(): void;
}

/** The peer connection of a JsSIP session. */
export function connectionOf(session: any): CountingPeerConnection {
  return session.connection as CountingPeerConnection;
}

/** werift's RTCPeerConnection, counting received RTP per kind and able to send audio. */
export class CountingPeerConnection extends RTCPeerConnection {
  received = { audio: 0, video: 0 };
  constructor(config: any = {}) {
    super({
      ...config,
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ["127.0.0.1"],
      iceFilterCandidatePair: (pair: any) => pair.remoteCandidate?.host === "127.0.0.1",
      codecs: {
        audio: [
          new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 }),
          new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
        ],
        video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000 })],
      },
    });
    this.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(() => this.received[track.kind as "audio" | "video"]++);
    });
  }

  // Sends `count` audio packets of 20 ms (160 bytes of PCMU silence) on the first audio sender.
  async sendAudio(count: number): Promise<void> {
    const sender = this.getSenders().find((s) => s.track?.kind === "audio");
    if (!sender?.track) throw new Error("no audio sender");
    const ssrc = Math.floor(Math.random() * 2 ** 31);
    for (let i = 0; i < count; i++) {
      const header = new RtpHeader({ payloadType: 0, sequenceNumber: i & 0xffff, timestamp: i * 160, ssrc, marker: i === 0 });
      sender.track.writeRtp(new RtpPacket(header, Buffer.alloc(160, 0xff)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

let installed = false;
function installGlobals(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as any;
  g.window ??= g;
  // Self-signed test certificates: the browser stand-in trusts them.
  g.WebSocket = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { rejectUnauthorized: false });
    }
  };
  g.RTCPeerConnection = CountingPeerConnection;
  g.RTCSessionDescription = class {
    type: string;
    sdp: string;
    constructor(init: { type: string; sdp: string }) {
      this.type = init.type;
      this.sdp = init.sdp;
    }
  };
}

function createMediaStream(video: boolean): MediaStream {
  const tracks = [new MediaStreamTrack({ kind: "audio" })];
  if (video) tracks.push(new MediaStreamTrack({ kind: "video" }));
  return new MediaStream(tracks);
}

// Starts a JsSIP user agent for `user@domain` connected to `url` (ws:// or wss://).
export async function startBrowser(url: string, user: string, domain: string, password: string): Promise<Browser> {
  installGlobals();
  const sessions: any[] = [];
  const socket = new JsSIP.WebSocketInterface(url);
  const ua = new JsSIP.UA({ sockets: [socket], uri: `sip:${user}@${domain}`, password, register: false, session_timers: false, user_agent: "rtcgw-e2e-browser" });
  const incoming: any[] = [];
  const waiting: ((session: any) => void)[] = [];
  ua.on("newRTCSession", (event: any) => {
    if (event.originator !== "remote") return;
    const next = waiting.shift();
    if (next) next(event.session);
    else incoming.push(event.session);
  });
  await new Promise<void>((resolve, reject) => {
    ua.once("connected", () => resolve());
    setTimeout(() => reject(new Error(`browser ${user}: WebSocket to ${url} did not connect`)), 5000);
    ua.start();
  });
  const received: string[] = [];
  (socket as any)._ws.on("message", (data: Buffer) => received.push(data.toString()));
  return {
    ua,
    received,
    register: () =>
      new Promise((resolve) => {
        ua.once("registered", (e: any) => resolve(e.response.status_code));
        ua.once("registrationFailed", (e: any) => resolve(e.response?.status_code ?? 0));
        ua.register();
      }),
    call: (target, options = {}) =>
      new Promise((resolve, reject) => {
        const session = ua.call(target, { mediaStream: createMediaStream(options.video ?? false) as any, pcConfig: { iceServers: [] } });
        sessions.push(session);
        session.on("confirmed", () => resolve(session));
        session.on("failed", (e: any) => reject(Object.assign(new Error(`call to ${target} failed: ${e.cause}`), { cause: e.cause, status: e.message?.status_code })));
      }),
    answerNext: () =>
      new Promise((resolve, reject) => {
        const answer = (session: any) => {
          sessions.push(session);
          session.on("confirmed", () => resolve(session));
          session.on("failed", (e: any) => reject(new Error(`incoming call failed: ${e.cause}`)));
          session.answer({ mediaStream: createMediaStream(false) as any, pcConfig: { iceServers: [] } });
        };
        const queued = incoming.shift();
        if (queued) answer(queued);
        else waiting.push(answer);
      }),
    stop: () => {
      for (const session of sessions) {
        try {
          if (!session.isEnded()) session.terminate();
        } catch {
          // already ending
        }
        session.connection?.close().catch(() => {});
      }
      ua.stop();
    },
  };
}
