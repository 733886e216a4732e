// End to end through the compiled gateway: browser stand-ins (JsSIP + werift: ICE, DTLS-SRTP) dial `*` + 8 digits
// and `music`; Kamailio routes them, rtpengine turns WebRTC into plain RTP/AVP G.711, and the media service mixes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RtpHeader, RtpPacket } from "werift";
import { connectionOf, CountingPeerConnection, type Browser } from "../harness/browser.ts";
import { e2eDomain } from "../e2e/e2e-recipe.ts";
import { useGatewayStack } from "../e2e/use-gateway-stack.ts";
import { startMediaService, type RunningMediaService } from "../../gateway/media/server.ts";
import { defaultMediaSettings } from "../../gateway/media/settings.ts";
import { decodeG711, encodeG711 } from "../../gateway/media/audio/g711.ts";
import { measureRms, measureToneShare, writeToneFrame } from "./media-audio.ts";

const gw = useGatewayStack({ browsers: ["alice", "carol", "dave"] });
let service: RunningMediaService;
const logs: string[] = [];

before(async () => {
  const stack = await gw.started();
  service = await startMediaService({ ...defaultMediaSettings, port: stack.mediaPort }, { log: (line) => logs.push(line) });
  // startBrowser installed the werift peer connection as the global JsSIP uses; record audio on top of it.
  (globalThis as any).RTCPeerConnection = RecordingPeerConnection;
});
after(async () => {
  await service?.stop();
});

/** What a browser heard: decoded PCMU samples and every payload type seen. */
interface Heard {
  samples: number[];
  payloadTypes: Set<number>;
}
const heardBy = new WeakMap<object, Heard>();

// Peer connections that also keep the audio they receive (subscribed from the start: werift announces its
// remote track once, during negotiation).
class RecordingPeerConnection extends CountingPeerConnection {
  constructor(config: any) {
    super(config);
    const heard: Heard = { samples: [], payloadTypes: new Set() };
    heardBy.set(this, heard);
    this.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        heard.payloadTypes.add(rtp.header.payloadType);
        if (rtp.header.payloadType !== 0) return;
        const samples = new Int16Array(rtp.payload.length);
        decodeG711("PCMU", rtp.payload, samples);
        heard.samples.push(...samples);
      });
    });
  }
}

// Calls `target` and waits for DTLS-SRTP. About one call in 10–20 on this machine stalls in werift ↔ rtpengine's
// DTLS handshake, whatever the destination: ICE is connected, rtpengine logs "DTLS: Peer certificate accepted" but
// never "DTLS-SRTP successfully negotiated", and werift stays "connecting". That is between the browser stand-in
// and rtpengine, before any media reaches the service: such a call is hung up and dialled again (at most three
// attempts), and every retry is reported as a test diagnostic.
async function callConnected(browser: Browser, target: string, diagnostic: (line: string) => void): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    const session = await browser.call(target);
    try {
      await connectionOf(session).waitConnected("audio", 8000);
      return session;
    } catch (error) {
      session.terminate();
      if (attempt === 3) throw error;
      diagnostic(`${target}: ${(error as Error).message} (ICE ${connectionOf(session).iceConnectionState}); dialling again`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

// Sends `count` 20 ms PCMU frames of a tone from the browser.
async function sendTone(pc: CountingPeerConnection, frequency: number, count: number): Promise<void> {
  const sender = pc.getSenders().find((s) => s.track?.kind === "audio")!;
  await pc.waitConnected("audio", 8000);
  const ssrc = Math.floor(Math.random() * 2 ** 31);
  const samples = new Int16Array(160);
  let phase = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    phase = writeToneFrame(samples, frequency, phase);
    const payload = Buffer.alloc(160);
    encodeG711("PCMU", samples, payload);
    sender.track!.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 0, sequenceNumber: i, timestamp: i * 160, ssrc, marker: i === 0 }), payload));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (i + 1) * 20 - performance.now())));
  }
}

test("browsers dialling *12345678 through Kamailio and rtpengine meet in one room; `music` plays; hang-ups free the room", async (t) => {
  const [alice, carol, dave] = [gw.browser("alice"), gw.browser("carol"), gw.browser("dave")];
  const diagnostic = (line: string) => t.diagnostic(line);
  const aliceSession = await callConnected(alice, `sip:*12345678@${e2eDomain}`, diagnostic);
  const carolSession = await callConnected(carol, `sip:*12345678@${e2eDomain}`, diagnostic);
  const settle = Date.now() + 3000;
  while (service.stats().roomLegs !== 2 && Date.now() < settle) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual({ rooms: service.stats().rooms, roomLegs: service.stats().roomLegs }, { rooms: 1, roomLegs: 2 }, logs.join("\n"));
  assert.match(aliceSession.connection.remoteDescription.sdp, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/, "the browser gets WebRTC SDP");

  const carolHears = heardBy.get(connectionOf(carolSession))!;
  const aliceHears = heardBy.get(connectionOf(aliceSession))!;
  // Browsers send audio all the time (silence too): rtpengine learns each peer's media path from it.
  await Promise.all([sendTone(connectionOf(aliceSession), 440, 100), sendTone(connectionOf(carolSession), 0, 100)]);
  assert.ok(carolHears.payloadTypes.has(0), `carol receives PCMU (payload types ${[...carolHears.payloadTypes]}; service ${JSON.stringify(service.stats())})`);
  const lastSecond = Int16Array.from(carolHears.samples.slice(-8000));
  assert.ok(
    lastSecond.length === 8000 && measureToneShare(lastSecond, 440) > 0.5,
    `carol hears alice's 440 Hz (${measureToneShare(lastSecond, 440).toFixed(3)})`,
  );
  const aliceLast = Int16Array.from(aliceHears.samples.slice(-8000));
  assert.ok(aliceLast.length > 0 && measureToneShare(aliceLast, 440) < 0.01, "alice does not hear herself");

  const musicSession = await callConnected(dave, `sip:music@${e2eDomain}`, diagnostic);
  const pc = connectionOf(musicSession);
  const heardMusic = heardBy.get(pc)!;
  const before = heardMusic.samples.length;
  await sendTone(pc, 0, 60);
  const packets = (heardMusic.samples.length - before) / 160;
  assert.ok(packets >= 45, `music reaches the browser: ${packets} packets while it sent 60`);
  assert.ok(measureRms(Int16Array.from(heardMusic.samples.slice(before))) > 300, "and it is the tune, not silence");

  for (const session of [aliceSession, carolSession, musicSession]) session.terminate();
  const deadline = Date.now() + 5000;
  while (service.stats().dialogs > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(
    { dialogs: service.stats().dialogs, rooms: service.stats().rooms, musicLegs: service.stats().musicLegs },
    { dialogs: 0, rooms: 0, musicLegs: 0 },
    "BYE through the gateway ends every leg",
  );
});
