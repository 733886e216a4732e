// A browser stand-in: JsSIP (the real WebRTC SIP stack of many web phones) over `ws`, with werift as
// RTCPeerConnection so ICE, DTLS-SRTP and RTP are real. It offers Opus and PCMU (or Opus only, as a page that
// prefers Opus with setCodecPreferences), sends real audio frames of the negotiated codec and counts what comes
// back per payload type. The boot test calls through the VM with it; the end-to-end tests use it on loopback
// (test/harness/browser.ts).
import JsSIP from "jssip";
import WebSocket from "ws";
import { MediaStream, MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from "werift";
import { opusToneFrames } from "./opus-tone.ts";

/** A running JsSIP user agent with its media counters. */
export interface Browser {
  ua: any;
  /** Every SIP message this browser received over its WebSocket, in order. */
  received: string[];
  /** Registers and resolves with the final REGISTER response status. */
  register(): Promise<number>;
  /** Calls `target`; resolves with the session once it is confirmed (or rejects with the failure cause). */
  call(target: string, options?: { video?: boolean; audioCodecs?: AudioCodec[] }): Promise<any>;
  /** Resolves with the next incoming session, answered. */
  answerNext(): Promise<any>;
  stop(): void;
}

/** The peer connection of a JsSIP session. */
export function connectionOf(session: any): CountingPeerConnection {
  return session.connection as CountingPeerConnection;
}

/** The audio codecs a browser stand-in can offer. */
export type AudioCodec = "opus" | "PCMU";

/** As Chromium offers them: Opus at payload type 111 with its fmtp, PCMU at its static 0. */
const audioCodecParameters: Record<AudioCodec, () => RTCRtpCodecParameters> = {
  opus: () => new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2, payloadType: 111, parameters: "minptime=10;useinbandfec=1" }),
  PCMU: () => new RTCRtpCodecParameters({ mimeType: "audio/PCMU", clockRate: 8000, channels: 1, payloadType: 0 }),
};

/** The k-th 20 ms audio frame per codec: Opus frames of a tone (rtpengine decodes them when it transcodes, so they
 * must be real Opus), G.711 mu-law/A-law silence (passed through or decoded as is). */
const audioFrames: Record<string, (k: number) => Buffer> = {
  "audio/opus": (k) => opusToneFrames[k % opusToneFrames.length]!,
  "audio/pcmu": () => Buffer.alloc(160, 0xff),
  "audio/pcma": () => Buffer.alloc(160, 0xd5),
};

// A DTLS record carrying a ClientHello: content type 22 (handshake), handshake type 1 after the 13-byte header.
function isClientHello(packet: Buffer): boolean {
  return packet.length > 13 && packet[0] === 22 && packet[13] === 1;
}

/** werift's RTCPeerConnection, counting received RTP per kind and able to send audio. */
export class CountingPeerConnection extends RTCPeerConnection {
  received = { audio: 0, video: 0 };
  /** Decrypted audio packets per RTP payload type. */
  receivedAudioPayloadTypes: Record<number, number> = {};
  /** DTLS transports whose peer sent a ClientHello, i.e. acted as DTLS client. */
  private peerActedAsClient = new WeakSet<object>();
  /** `mediaAddress`: the one local address ICE gathers on (JsSIP passes its pcConfig here); `audioCodecs`: what the
   * audio m-line offers, in order (Opus and PCMU unless given). */
  constructor({ mediaAddress, audioCodecs = ["opus", "PCMU"], ...config }: { mediaAddress?: string; audioCodecs?: AudioCodec[]; [key: string]: unknown } = {}) {
    if (!mediaAddress) throw new Error("CountingPeerConnection: no mediaAddress in its configuration (the local address its ICE candidates use)");
    super({
      ...config,
      iceServers: [],
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: mediaAddress },
      iceAdditionalHostAddresses: [mediaAddress],
      // A loopback address reaches only loopback peers: other pairs only slow ICE down.
      iceFilterCandidatePair: (pair: any) =>
        pair.protocol?.localCandidate?.host === mediaAddress && isLoopback(pair.remoteCandidate?.host ?? "") === isLoopback(mediaAddress),
      codecs: {
        audio: audioCodecs.map((codec) => audioCodecParameters[codec]()),
        video: [new RTCRtpCodecParameters({ mimeType: "video/VP8", clockRate: 90000 })],
      },
    });
    // Counts decrypted RTP per m-line kind at the transport: werift routes only signalled SSRCs to
    // tracks, while a SIP phone's SSRC is not in the SDP rtpengine sends (browsers demux it anyway).
    // Every DTLS transport (one per m-line without BUNDLE) is made by werift's SecureTransportManager.
    const secureManager = (this as any).secureManager;
    const createTransport = secureManager.createTransport.bind(secureManager);
    secureManager.createTransport = () => {
      const transport = createTransport();
      transport.iceTransport.connection.onData.subscribe((packet: Buffer) => {
        if (isClientHello(packet)) this.peerActedAsClient.add(transport);
      });
      transport.onRtp.subscribe((packet: RtpPacket) => {
        const kind = this.getTransceivers().find((t) => t.dtlsTransport === transport)?.kind;
        if (kind === "audio" || kind === "video") this.received[kind]++;
        if (kind === "audio") {
          const { payloadType } = packet.header;
          this.receivedAudioPayloadTypes[payloadType] = (this.receivedAudioPayloadTypes[payloadType] ?? 0) + 1;
        }
      });
      return transport;
    };
  }

  // An answer that rejects an m-line (port 0, RFC 3264 §6) stops its transceiver, as in a browser (W3C webrtc-pc's
  // "set the session description", JSEP RFC 9429). werift 0.24 would negotiate codecs on the rejected m-line instead and
  // throw "negotiate codecs failed." (rtpengine keeps the payload type without its rtpmap, as RFC 3264 allows); for a
  // transceiver already stopping and inactive it skips that step. The answer stays as received (remoteDescription
  // shows `m=video 0`).
  override async setRemoteDescription(description: any): Promise<void> {
    if (description?.type === "answer") {
      for (const mid of rejectedMids(description.sdp)) {
        const transceiver = this.getTransceivers().find((t) => t.mid === mid);
        transceiver?.setDirection("inactive");
        transceiver?.stop();
      }
    }
    return super.setRemoteDescription(description);
  }

  // The transports werift connects after an answer. werift 0.24 also starts the transport of a stopped transceiver, which
  // fails (the rejected m-line has no ICE or DTLS parameters) and marks the whole connection failed; a browser discards
  // the ICE components of a rejected m-line unless a live one is bundled with it (JSEP).
  override get dtlsTransports() {
    const transceivers = this.getTransceivers();
    const used = new Set(transceivers.filter((t) => !t.stopped).map((t) => t.dtlsTransport));
    const stopped = new Set(transceivers.filter((t) => t.stopped).map((t) => t.dtlsTransport));
    return super.dtlsTransports.filter((transport) => used.has(transport) || !stopped.has(transport));
  }

  // JsSIP passes `null` options, werift expects an object or nothing.
  override createOffer(options?: any) {
    return super.createOffer(options ?? undefined);
  }

  // Resolves once ICE and DTLS are up for the first m-line of `kind` (RTP written before is dropped).
  // Strict like a browser: werift, as DTLS client, ignores a ClientHello from its peer and completes its
  // own handshake; Chromium does not (both ends clients: no media). So a peer that sent a ClientHello
  // to us while the SDP made us the client fails here, as it would in a browser.
  async waitConnected(kind: "audio" | "video" = "audio", timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const transport = () => this.getTransceivers().find((t) => t.kind === kind)?.dtlsTransport;
    const state = () => transport()?.state ?? "none";
    while (state() !== "connected") {
      if (Date.now() > deadline) throw new Error(`${kind} DTLS transport is ${state()}, not connected`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const dtls = transport()!;
    if (dtls.role === "client" && this.peerActedAsClient.has(dtls)) {
      throw new Error(
        `${kind}: the peer sent a DTLS ClientHello although the SDP made this side the DTLS client (remote a=setup:passive); werift completes anyway, a browser never connects`,
      );
    }
  }

  // Sends `count` 20 ms audio packets in the negotiated codec on the first audio sender: a tone for Opus, silence for
  // G.711 (rtpengine decodes them when it transcodes, so they must be valid frames).
  sendAudio(count: number): Promise<void> {
    return this.sendMedia("audio", count);
  }

  // Sends `count` packets every 20 ms on the first sender of `kind`: the codec's audio frames, opaque bytes for
  // video (rtpengine forwards video without decoding it).
  async sendMedia(kind: "audio" | "video", count: number): Promise<void> {
    const sender = this.getSenders().find((s) => s.track?.kind === kind);
    if (!sender?.track) throw new Error(`no ${kind} sender`);
    await this.waitConnected(kind);
    const codec = sender.codec;
    if (!codec) throw new Error(`no negotiated ${kind} codec`);
    const frameOf = kind === "video" ? () => Buffer.alloc(300, 0x5a) : audioFrames[codec.mimeType.toLowerCase()];
    if (!frameOf) throw new Error(`no audio frames for ${codec.mimeType}`);
    const ssrc = Math.floor(Math.random() * 2 ** 31);
    const step = codec.clockRate / 50;
    for (let i = 0; i < count; i++) {
      const header = new RtpHeader({ payloadType: codec.payloadType, sequenceNumber: i & 0xffff, timestamp: i * step, ssrc, marker: i === 0 });
      sender.track.writeRtp(new RtpPacket(header, frameOf(i)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

let installed = false;
const localAddressParam = "rtcgw-test-local-address";
const forwardedForParam = "rtcgw-test-forwarded-for";
function installGlobals(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as any;
  g.window ??= g;
  // Self-signed test certificates: the browser stand-in trusts them.
  // Where a browser runs travels in its URL (JsSIP reconnects with the same URL), and is taken out here.
  g.WebSocket = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const parsed = new URL(url);
      const localAddress = parsed.searchParams.get(localAddressParam);
      const forwardedFor = parsed.searchParams.get(forwardedForParam);
      parsed.searchParams.delete(localAddressParam);
      parsed.searchParams.delete(forwardedForParam);
      super(parsed.toString(), protocols, {
        rejectUnauthorized: false,
        ...(localAddress ? { localAddress } : {}),
        ...(forwardedFor ? { headers: { "X-Forwarded-For": forwardedFor } } : {}),
      });
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

function isLoopback(address: string): boolean {
  return address.startsWith("127.");
}

// The browser offers candidates on its media address only: other host candidates only slow ICE down.
function keepCandidatesOn(sdp: string, address: string): string {
  return sdp
    .split("\r\n")
    .filter((line) => !line.startsWith("a=candidate:") || line.includes(` ${address} `))
    .join("\r\n");
}

// werift cannot parse `a=rtcp:PORT` without an address (legal, RFC 3605; rtpengine writes it and
// browsers accept it). With rtcp-mux the line carries nothing werift needs.
function dropAddresslessRtcp(sdp: string): string {
  return sdp
    .split("\r\n")
    .filter((line) => !/^a=rtcp:\d+$/.test(line))
    .join("\r\n");
}

/** The mids of the audio and video m-lines an SDP rejects (port 0). */
export function rejectedMids(sdp: string): string[] {
  return sdp
    .split(/\r\n(?=m=)/)
    .filter((section) => /^m=(audio|video) 0 /.test(section))
    .map((section) => /^a=mid:(\S+)$/m.exec(section)?.[1])
    .filter((mid): mid is string => mid !== undefined);
}

function createMediaStream(video: boolean): MediaStream {
  const tracks = [new MediaStreamTrack({ kind: "audio" })];
  if (video) tracks.push(new MediaStreamTrack({ kind: "video" }));
  return new MediaStream(tracks);
}

/** Where the browser runs. */
export interface BrowserOptions {
  /** The local address its ICE candidates (and so its media) use. */
  mediaAddress: string;
  /** Binds its WebSocket to this loopback address (a browser on another host, straight to a public WS port). */
  localAddress?: string;
  /** The X-Forwarded-For the appliance's agent would add: a browser at this address behind the agent's WSS proxy. */
  forwardedFor?: string;
}

// Starts a JsSIP user agent for `user@domain` connected to `url` (ws:// or wss://).
export async function startBrowser(url: string, user: string, domain: string, password: string, options: BrowserOptions): Promise<Browser> {
  installGlobals();
  const { mediaAddress } = options;
  const sessions: any[] = [];
  const located = new URL(url);
  if (options.localAddress) located.searchParams.set(localAddressParam, options.localAddress);
  if (options.forwardedFor) located.searchParams.set(forwardedForParam, options.forwardedFor);
  const socket = new JsSIP.WebSocketInterface(located.toString());
  const ua = new JsSIP.UA({
    sockets: [socket],
    uri: `sip:${user}@${domain}`,
    password,
    register: false,
    session_timers: false,
    user_agent: "rtcgw-browser-standin",
  });
  const incoming: any[] = [];
  const waiting: ((session: any) => void)[] = [];
  ua.on("newRTCSession", (event: any) => {
    event.session.on("sdp", (e: any) => {
      if (e.originator === "local") e.sdp = keepCandidatesOn(e.sdp, mediaAddress);
      else e.sdp = dropAddresslessRtcp(e.sdp);
    });
    if (event.originator !== "remote") return;
    const next = waiting.shift();
    if (next) next(event.session);
    else incoming.push(event.session);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      ua.stop();
      reject(new Error(`browser ${user}: WebSocket to ${url} did not connect`));
    }, 5000);
    ua.once("connected", () => {
      clearTimeout(timer);
      resolve();
    });
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
        const pcConfig = { iceServers: [], mediaAddress, ...(options.audioCodecs ? { audioCodecs: options.audioCodecs } : {}) };
        const session = ua.call(target, { mediaStream: createMediaStream(options.video ?? false) as any, pcConfig: pcConfig as any });
        sessions.push(session);
        session.on("confirmed", () => resolve(session));
        session.on("failed", (e: any) =>
          reject(Object.assign(new Error(`call to ${target} failed: ${e.cause}`), { cause: e.cause, status: e.message?.status_code })),
        );
      }),
    answerNext: () =>
      new Promise((resolve, reject) => {
        const answer = (session: any) => {
          sessions.push(session);
          session.on("confirmed", () => resolve(session));
          session.on("failed", (e: any) => reject(new Error(`incoming call failed: ${e.cause}`)));
          session.answer({ mediaStream: createMediaStream(false) as any, pcConfig: { iceServers: [], mediaAddress } as any });
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
