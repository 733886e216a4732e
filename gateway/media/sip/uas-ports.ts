// What the SIP user agent server needs from the rest of the service: its address, settings and the media side.
import type { AudioChoice } from "../sdp/sdp-answer.ts";
import type { CallTarget, LegHandle } from "./dialogs.ts";
import type { Admission } from "../rooms/rooms.ts";

/** A network address. */
export interface Address {
  address: string;
  port: number;
}

/** What the UAS needs from the media side. */
export interface MediaPort {
  admit(target: CallTarget): Admission;
  open(target: CallTarget, choice: AudioChoice | undefined, onRtpTimeout: () => void): Promise<LegHandle | Exclude<Admission, { ok: true }>>;
}

/** Settings of the UAS. */
export interface UasSettings {
  /** Our SIP address, for Contact, Via and SDP. */
  local: Address;
  /** Delay before answering (0 in production; tests use it to CANCEL a ringing call). */
  answerDelayMs: number;
  maxDialogs: number;
}
