// Starts the media service: the SIP socket, the UAS, the media engine and the frame clock, wired together.
import { createSocket } from "node:dgram";
import { startFrameClock, systemClock, type ClockPort, type FrameClockStats } from "./audio/frame-clock.ts";
import { createMediaEngine, type MediaEngineStats } from "./rooms/media-engine.ts";
import { SipUas } from "./sip/uas.ts";
import type { MediaServiceSettings } from "./settings.ts";

/** A running service. */
export interface RunningMediaService {
  /** The bound SIP port (useful when started with port 0). */
  sipPort: number;
  stats(): MediaEngineStats & FrameClockStats & { dialogs: number };
  /** Frame-clock figures since the previous call: for periodic logs and the benchmark's measuring window. */
  takeClockWindow(): FrameClockStats;
  /** Hangs up every call (BYE), closes the sockets, stops the clock. */
  stop(): Promise<void>;
}

// Binds the SIP socket and starts answering calls.
export async function startMediaService(
  settings: MediaServiceSettings,
  options: { log?: (line: string) => void; clock?: ClockPort } = {},
): Promise<RunningMediaService> {
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = options.clock ?? systemClock;
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(settings.port, settings.address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  socket.on("error", (error) => log(`SIP socket error: ${error.message}`));
  const sipPort = socket.address().port;
  const engine = createMediaEngine({ ...settings, rtpAddress: settings.address, now: clock.now, log });
  const send = (text: string, to: { address: string; port: number }) => socket.send(text, to.port, to.address, () => {});
  const uas = new SipUas(
    { local: { address: settings.address, port: sipPort }, answerDelayMs: settings.answerDelayMs, maxDialogs: settings.maxDialogs },
    send,
    engine,
    clock,
    log,
  );
  socket.on("message", (datagram, source) => {
    try {
      uas.receive(datagram, { address: source.address, port: source.port });
    } catch (error) {
      // A bug must not take every call down: log it and drop the datagram.
      log(`internal error on a datagram from ${source.address}:${source.port}: ${(error as Error).stack ?? String(error)}`);
    }
  });
  const frameClock = startFrameClock(() => engine.tick(), { clock });
  log(`rtcgw media service on ${settings.address}:${sipPort} (room limit ${settings.roomLimit})`);
  return {
    sipPort,
    stats: () => ({ ...engine.stats(), ...frameClock.stats, dialogs: uas.dialogCount }),
    takeClockWindow: () => frameClock.takeWindow(),
    async stop() {
      uas.stop();
      frameClock.stop();
      engine.closeAll();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
