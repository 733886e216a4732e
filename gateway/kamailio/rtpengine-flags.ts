/** rtpengine_offer/rtpengine_answer flag strings for each direction of a bridged call. */
export interface RtpengineFlags {
  /** Offer from a browser, forwarded to the SIP side (PBX, media service). */
  offerToSip: string;
  /** Offer from the SIP side, forwarded to a browser. */
  offerToBrowser: string;
  /** Answer from a browser, forwarded to the SIP side. */
  answerToSip: string;
  /** Answer from the SIP side, forwarded to a browser. */
  answerToBrowser: string;
}

const toSip = "trust-address replace-origin replace-session-connection ICE=remove DTLS=off SDES-off RTP/AVP rtcp-mux-demux";
const toBrowser = "trust-address replace-origin replace-session-connection ICE=force SDES-off UDP/TLS/RTP/SAVPF rtcp-mux-offer rtcp-mux-require generate-mid";
// In an offer to a browser, rtpengine 10.5 still writes `a=setup:actpass` despite DTLS=passive (seen in Chromium's
// remote description): the browser answers `active` and starts the handshake, so rtpengine is the DTLS server. A browser's offer (`actpass`) gets no DTLS flag in the answer: rtpengine
// 10.5 creates an active (client) DTLS context at the offer and sends its ClientHello as soon as its ICE
// checks succeed, which in a real call (the callee rings) is before the answer. DTLS=passive in the answer
// reset that context to passive after the ClientHello had gone out: Chromium never completed the handshake.
// Without it the answer says `a=setup:active`, which is what rtpengine does. (test/harness/browser.ts)
const toBrowserOffer = `${toBrowser} DTLS=passive`;

/**
 * libopus's complexity (0-10) for what rtpengine encodes as Opus toward a browser. rtpengine 12.5 (Debian 13) passes a
 * codec string's options to its libopus encoder (`--` stands for `=` there) and defaults to 10; 10.5 ignores them.
 * The encoder is fed G.711's 8 kHz narrowband audio, where complexity 10 buys little: docs/PERFORMANCE.md
 * ("Transcoding on the image's rtpengine") has the calls per core at 10, 5, 3 and 0, and DECISIONS.md the choice.
 */
export const opusEncoderComplexity = 3;
const opusEncoderSettings = `codec-set-opus/48000/2////complexity--${opusEncoderComplexity}`;

// The WebRTC <-> RTP bridging flags (measured, see FACTS.md), plus transcoding so that each side
// is offered only its own codec list: codecs the SIP side lacks are masked and transcoded; where rtpengine
// encodes Opus for the browser, at opusEncoderComplexity.
export function buildRtpengineFlags(codecs: { webrtc: string[]; sip: string[] }): RtpengineFlags {
  const sipOnly = codecs.sip.filter((codec) => !codecs.webrtc.includes(codec));
  const webrtcOnly = codecs.webrtc.filter((codec) => !codecs.sip.includes(codec));
  const opus = codecs.webrtc.includes("opus") ? [opusEncoderSettings] : [];
  const offerToSipCodecs = [...webrtcOnly.map((c) => `codec-mask-${c}`), ...codecs.sip.map((c) => `codec-transcode-${c}`), ...opus];
  const offerToBrowserCodecs = [...sipOnly.map((c) => `codec-mask-${c}`), ...codecs.webrtc.map((c) => `codec-transcode-${c}`), ...opus];
  return {
    offerToSip: [toSip, ...offerToSipCodecs].join(" "),
    offerToBrowser: [toBrowserOffer, ...offerToBrowserCodecs].join(" "),
    answerToSip: toSip,
    answerToBrowser: toBrowser,
  };
}
