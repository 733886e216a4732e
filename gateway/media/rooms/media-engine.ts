// The media side: one UDP socket per leg, rooms and music legs, all driven by the one frame clock.
import { createSocket, type Socket } from "node:dgram";
import { acceptRtp, createMediaLeg, isSending, updateMediaLeg, type MediaLeg } from "../audio/media-leg.ts";
import { checkAdmission, createRoomRegistry, joinRoom, leaveRoom, mixRoom, type Admission, type Participant } from "./rooms.ts";
import { encodeTuneFrames, synthesiseTune } from "./music.ts";
import { parseRtpPacket, writeRtpPacket } from "../audio/rtp.ts";
import type { CallTarget, LegHandle } from "../sip/dialogs.ts";
import type { MediaPort } from "../sip/uas.ts";
import type { AudioChoice } from "../sdp/sdp-answer.ts";
import type { G711Codec } from "../audio/g711.ts";

/** Settings of the media side. */
export interface MediaEngineSettings {
  /** Address the RTP sockets bind to (loopback in production). */
  rtpAddress: string;
  roomLimit: number;
  participantLimit: number;
  /** No RTP from a leg that should be sending for this long ends the call. */
  rtpTimeoutMs: number;
  now: () => number;
  log: (line: string) => void;
}

/** Counters for logs and the benchmark. */
export interface MediaEngineStats {
  rooms: number;
  roomLegs: number;
  musicLegs: number;
  packetsIn: number;
  packetsOut: number;
}

/** The media port plus the tick the frame clock calls. */
export interface MediaEngine extends MediaPort {
  tick(): void;
  stats(): MediaEngineStats;
  closeAll(): void;
}

interface MusicLeg {
  leg: MediaLeg;
  position: number;
}
interface OpenLeg {
  leg: MediaLeg;
  socket: Socket;
  onRtpTimeout: () => void;
}

const timeoutCheckTicks = 50;
// Until an ACK brings the answer (INVITE without SDP), a leg neither sends nor expects audio.
const placeholder: AudioChoice = {
  index: 0,
  codec: "PCMU",
  payloadType: 0,
  dtmfPayloadType: undefined,
  remote: { address: "0.0.0.0", port: 0 },
  direction: "inactive",
};

// Creates the media side; nothing runs until the frame clock calls `tick`.
export function createMediaEngine(settings: MediaEngineSettings): MediaEngine {
  const registry = createRoomRegistry(settings);
  const tune = synthesiseTune();
  const tuneFrames: Record<G711Codec, Uint8Array[]> = { PCMU: encodeTuneFrames(tune, "PCMU"), PCMA: encodeTuneFrames(tune, "PCMA") };
  const musicLegs = new Set<MusicLeg>();
  const open = new Map<MediaLeg, OpenLeg>();
  let packetsOut = 0;
  let ticks = 0;

  const sendRtp = (leg: MediaLeg, payload: Uint8Array) => {
    const entry = open.get(leg);
    if (!entry || leg.remote.port === 0 || leg.remote.address === "0.0.0.0") return;
    const packet = Buffer.allocUnsafe(12 + payload.length);
    writeRtpPacket(leg.sender, leg.payloadType, payload, packet);
    entry.socket.send(packet, leg.remote.port, leg.remote.address, () => {});
    leg.packetsOut++;
    packetsOut++;
  };

  const checkTimeouts = () => {
    const now = settings.now();
    for (const entry of [...open.values()]) {
      const expectsAudio = entry.leg.direction === "sendrecv" || entry.leg.direction === "recvonly";
      if (expectsAudio && now - entry.leg.lastRtpAt > settings.rtpTimeoutMs) entry.onRtpTimeout();
    }
  };

  return {
    admit(target: CallTarget): Admission {
      return target.kind === "room" ? checkAdmission(registry, target.room) : { ok: true };
    },

    async open(target, choice, onRtpTimeout) {
      const leg = createMediaLeg(choice ?? placeholder, settings.now());
      let participant: Participant | undefined;
      let music: MusicLeg | undefined;
      if (target.kind === "room") {
        participant = joinRoom(registry, target.room, leg);
        if (!participant) return checkAdmission(registry, target.room) as Exclude<Admission, { ok: true }>;
      } else {
        music = { leg, position: 0 };
      }
      const socket = createSocket("udp4");
      socket.on("message", (datagram) => {
        const packet = parseRtpPacket(datagram);
        if (!packet) return;
        const event = acceptRtp(leg, packet, settings.now());
        if (event) settings.log(`DTMF ${event.dtmf} on ${target.kind === "room" ? `room ${target.room}` : "music"}`);
      });
      socket.on("error", (error) => settings.log(`RTP socket error: ${error.message}`));
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.bind(0, settings.rtpAddress, () => {
            socket.off("error", reject);
            resolve();
          });
        });
      } catch (error) {
        if (participant) leaveRoom(registry, (target as { room: string }).room, participant);
        socket.close();
        throw error;
      }
      open.set(leg, { leg, socket, onRtpTimeout });
      if (music) musicLegs.add(music);
      let closed = false;
      const handle: LegHandle = {
        port: socket.address().port,
        ssrc: leg.sender.ssrc,
        update: (next) => updateMediaLeg(leg, next, settings.now()),
        close: () => {
          if (closed) return;
          closed = true;
          if (participant && target.kind === "room") leaveRoom(registry, target.room, participant);
          if (music) musicLegs.delete(music);
          open.delete(leg);
          socket.close();
        },
      };
      return handle;
    },

    tick() {
      for (const room of registry.rooms.values()) mixRoom(room, sendRtp);
      for (const music of musicLegs) {
        const frames = tuneFrames[music.leg.codec];
        const frame = frames[music.position % frames.length]!;
        music.position++;
        if (isSending(music.leg)) sendRtp(music.leg, frame);
      }
      if (++ticks % timeoutCheckTicks === 0) checkTimeouts();
    },

    stats() {
      let roomLegs = 0;
      for (const room of registry.rooms.values()) roomLegs += room.participants.size;
      let packetsIn = 0;
      for (const entry of open.values()) packetsIn += entry.leg.packetsIn;
      return { rooms: registry.rooms.size, roomLegs, musicLegs: musicLegs.size, packetsIn, packetsOut };
    },

    closeAll() {
      for (const entry of open.values()) entry.socket.close();
      open.clear();
      musicLegs.clear();
      registry.rooms.clear();
    },
  };
}
