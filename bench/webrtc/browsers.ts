// The "browsers": a second rtpengine turns each call's plain RTP endpoint into a WebRTC peer (ICE, DTLS-SRTP,
// RTCP-mux, a=mid), as a browser would offer it, so hundreds of real WebRTC legs cost the load generator
// little CPU. It is driven over the ng protocol like the gateway's own rtpengine.
import { networkInterfaces } from "node:os";
import { mediaPort, ngCommand } from "../gateway-media-calls.ts";
import { startRtpengine, type RunningRtpengine } from "../../test/harness/rtpengine.ts";
import { findFreePorts } from "../../test/harness/free-ports.ts";

/** The codec a browser offers: Opus (48 kHz, PT 111 as Chromium numbers it) or PCMU. */
export type BrowserCodec = "opus" | "PCMU";

/** Payload type and rtpmap per codec. */
export const browserCodecs: Record<BrowserCodec, { payloadType: number; rtpmap: string }> = {
  opus: { payloadType: 111, rtpmap: "opus/48000/2" },
  PCMU: { payloadType: 0, rtpmap: "PCMU/8000" },
};

/** A running browser stand-in. */
export interface Browsers {
  engine: RunningRtpengine;
  /** The WebRTC offer a browser with a plain endpoint on `port` sends (ICE candidates, fingerprint, setup:actpass, its SSRC). */
  offer(callId: string, port: number, codec: BrowserCodec, ssrc: number): Promise<string>;
  /** Applies the gateway's WebRTC answer; returns the port the plain endpoint must send to. */
  answer(callId: string, sdp: string): Promise<number>;
  delete(callId: string): Promise<void>;
  stop(): Promise<void>;
}

// Starts the browser rtpengine with its own port range and worker threads (no config file). Its ICE host
// candidates are 127.0.0.1 and `hostAddress` (Janus gathers no loopback candidates; traffic to the machine's own
// address stays on the machine).
export async function startBrowsers(workDir: string, ports: number, threads: number, hostAddress: string): Promise<Browsers> {
  const [ngPort] = await findFreePorts(1);
  const engine = await startRtpengine(workDir, {
    ngPort: ngPort!,
    ports,
    threads,
    logLevel: 5,
    extraArgs: [`--interface=${hostAddress}`],
  });
  return {
    engine,
    offer: async (callId, port, codec, ssrc) => {
      const reply = await browserCommand(engine, {
        command: "offer",
        "call-id": callId,
        "from-tag": "browser",
        sdp: plainSdp(port, codec, ssrc),
        flags: ["trust-address", "generate-mid"],
        replace: ["origin", "session-connection"],
        "transport-protocol": "UDP/TLS/RTP/SAVPF",
        ICE: "force",
        "rtcp-mux": ["offer", "require"],
        SDES: ["off"],
      });
      return String(reply.sdp);
    },
    answer: async (callId, sdp) => {
      const reply = await browserCommand(engine, {
        command: "answer",
        "call-id": callId,
        "from-tag": "browser",
        "to-tag": "gateway",
        sdp,
        flags: ["trust-address"],
        replace: ["origin", "session-connection"],
        "transport-protocol": "RTP/AVP",
        ICE: "remove",
      });
      return mediaPort(String(reply.sdp));
    },
    delete: async (callId) => {
      await ngCommand(engine, { command: "delete", "call-id": callId }).catch(() => undefined);
    },
    stop: () => engine.process.stop(),
  };
}

// The machine's first non-loopback IPv4 address (where Janus gathers its ICE candidates).
export function findHostAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!address) throw new Error("no non-loopback IPv4 address on this machine: Janus gathers no ICE candidates on loopback");
  return address;
}

/** What a failure of the browser stand-in (the load generator, not the gateway) says first. */
export const browserFailure = "browser stand-in:";

// An ng command to the browser rtpengine, retried for about 10 s when it does not answer (a busy load generator must not
// count as a failed gateway; offer and answer with the same tags are idempotent); its failures start with `browserFailure`.
async function browserCommand(engine: RunningRtpengine, message: Parameters<typeof ngCommand>[1]): Promise<Awaited<ReturnType<typeof ngCommand>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ngCommand(engine, message);
    } catch (error) {
      if (attempt >= 10 || !/timeout/.test(String(error))) throw new Error(`${browserFailure} ${String(message.command)}: ${(error as Error).message}`);
    }
  }
}

// A one-stream audio SDP on 127.0.0.1 for `codec`, 20 ms packets; with `ssrc`, the a=ssrc line a browser
// writes (Janus drops RTP whose SSRC was not signalled).
export function plainSdp(port: number, codec: BrowserCodec, ssrc?: number): string {
  const { payloadType, rtpmap } = browserCodecs[codec];
  return [
    "v=0",
    `o=- ${port} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP ${payloadType}`,
    `a=rtpmap:${payloadType} ${rtpmap}`,
    "a=ptime:20",
    "a=sendrecv",
    ...(ssrc === undefined ? [] : [`a=ssrc:${ssrc >>> 0} cname:bench`]),
    "",
  ].join("\r\n");
}
