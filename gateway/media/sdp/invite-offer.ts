// The SDP offer of an INVITE or re-INVITE: none (we offer in the 200), an unsupported body type (415),
// an offer we cannot serve (488), or the negotiated audio choice.
import { chooseAudio, type AudioChoice } from "./sdp-answer.ts";
import { findHeader, type SipRequest } from "../sip/sip-parse.ts";

/** A usable offer: the audio choice and the parsed offer the answer mirrors. */
export interface Offer {
  choice: AudioChoice;
  description: Exclude<ReturnType<typeof chooseAudio>, string>["offer"];
}

// Reads the request's offer; "unsupported type" → 415, any other string → 488, undefined → no offer.
export function readOffer(request: SipRequest): Offer | undefined | string {
  if (request.body.trim() === "") return undefined;
  const type = findHeader(request.headers, "content-type") ?? "";
  if (!/^application\/sdp\s*(?:;.*)?$/i.test(type)) return "unsupported type";
  const chosen = chooseAudio(request.body);
  return typeof chosen === "string" ? chosen : { choice: chosen.choice, description: chosen.offer };
}
