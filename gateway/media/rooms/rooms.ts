// Conference rooms: one per 8-digit number, created on first join, freed when the last participant leaves.
import { encodeG711, type G711Codec } from "../audio/g711.ts";
import { frameSamples, isSending, takeFrame, type MediaLeg } from "../audio/media-leg.ts";
import { subtractAndClip, sumFrames } from "../audio/mixer.ts";

/** A leg in a room, with its frame for the current tick. */
export interface Participant {
  leg: MediaLeg;
  frame: Int16Array;
  hasFrame: boolean;
  payload: Uint8Array;
}

/** One conference room. */
export interface Room {
  id: string;
  participants: Set<Participant>;
}

/** Every room, and the limits that bound them. */
export interface RoomRegistry {
  rooms: Map<string, Room>;
  /** Rooms open at once; a new room beyond it gets 503. */
  roomLimit: number;
  /** Participants per room; one more gets 486. */
  participantLimit: number;
}

/** Why a join was refused, as a SIP status. */
export type Admission = { ok: true } | { ok: false; status: 486 | 503; reason: string };

const sum = new Int32Array(frameSamples);
const mixed = new Int16Array(frameSamples);
const shared: Record<G711Codec, Uint8Array> = { PCMU: new Uint8Array(frameSamples), PCMA: new Uint8Array(frameSamples) };

// An empty registry.
export function createRoomRegistry(limits: { roomLimit: number; participantLimit: number }): RoomRegistry {
  return { rooms: new Map(), ...limits };
}

// Whether one more participant may join `roomId` now (checked before answering, and again on join).
export function checkAdmission(registry: RoomRegistry, roomId: string): Admission {
  const room = registry.rooms.get(roomId);
  if (!room) {
    return registry.rooms.size >= registry.roomLimit ? { ok: false, status: 503, reason: `room limit (${registry.roomLimit}) reached` } : { ok: true };
  }
  return room.participants.size >= registry.participantLimit ? { ok: false, status: 486, reason: `room ${roomId} is full` } : { ok: true };
}

// Adds a leg to a room (creating the room); undefined when the limits refuse it.
export function joinRoom(registry: RoomRegistry, roomId: string, leg: MediaLeg): Participant | undefined {
  if (!checkAdmission(registry, roomId).ok) return undefined;
  let room = registry.rooms.get(roomId);
  if (!room) {
    room = { id: roomId, participants: new Set() };
    registry.rooms.set(roomId, room);
  }
  const participant = { leg, frame: new Int16Array(frameSamples), hasFrame: false, payload: new Uint8Array(frameSamples) };
  room.participants.add(participant);
  return participant;
}

// Removes a participant; the room goes when it is empty.
export function leaveRoom(registry: RoomRegistry, roomId: string, participant: Participant): void {
  const room = registry.rooms.get(roomId);
  if (!room) return;
  room.participants.delete(participant);
  if (room.participants.size === 0) registry.rooms.delete(roomId);
}

// Mixes one frame of a room and hands each listener its G.711 payload (valid only during the call to `send`).
export function mixRoom(room: Room, send: (leg: MediaLeg, payload: Uint8Array) => void): void {
  const speakers: Int16Array[] = [];
  for (const participant of room.participants) {
    participant.hasFrame = takeFrame(participant.leg, participant.frame);
    if (participant.hasFrame) speakers.push(participant.frame);
  }
  sumFrames(speakers, sum);
  // Everyone who did not speak this frame hears the same sum: encode it once per codec.
  const encoded = { PCMU: false, PCMA: false };
  for (const participant of room.participants) {
    const leg = participant.leg;
    if (!isSending(leg)) continue;
    if (participant.hasFrame) {
      subtractAndClip(sum, participant.frame, mixed);
      encodeG711(leg.codec, mixed, participant.payload);
      send(leg, participant.payload);
      continue;
    }
    if (!encoded[leg.codec]) {
      subtractAndClip(sum, undefined, mixed);
      encodeG711(leg.codec, mixed, shared[leg.codec]);
      encoded[leg.codec] = true;
    }
    send(leg, shared[leg.codec]);
  }
}
