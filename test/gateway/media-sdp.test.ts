// SDP offer/answer for one G.711 stream: codec and direction choice, rejections, the answer text, fuzzing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chooseAudio, writeAnswer } from "../../gateway/media/sdp/sdp-answer.ts";
import { parseSdp, sdpLimits } from "../../gateway/media/sdp/sdp-parse.ts";
import { createRandom, mutate } from "./media-fuzz.ts";

const offer = (media: string[], session: string[] = []) =>
  ["v=0", "o=- 5 5 IN IP4 10.0.0.1", "s=-", "c=IN IP4 10.0.0.1", "t=0 0", ...session, ...media, ""].join("\r\n");
const local = { address: "127.0.0.1", port: 40000, sessionId: 9, version: 2 };

describe("SDP", () => {
  it("picks the offerer's first G.711 format, keeps telephone-event, rejects the other sections", () => {
    const text = offer([
      "m=video 5000 RTP/AVP 96",
      "a=rtpmap:96 VP8/90000",
      "m=audio 6000 RTP/AVP 111 8 0 101",
      "a=rtpmap:111 opus/48000/2",
      "a=rtpmap:101 telephone-event/8000",
      "c=IN IP4 10.0.0.2",
    ]);
    const chosen = chooseAudio(text);
    assert.ok(typeof chosen !== "string");
    assert.deepEqual(chosen.choice, {
      index: 1,
      codec: "PCMA",
      payloadType: 8,
      dtmfPayloadType: 101,
      remote: { address: "10.0.0.2", port: 6000 },
      direction: "sendrecv",
    });
    const answer = writeAnswer(chosen.offer, chosen.choice, local);
    assert.equal(
      answer,
      [
        "v=0",
        "o=rtcgw 9 2 IN IP4 127.0.0.1",
        "s=rtcgw",
        "c=IN IP4 127.0.0.1",
        "t=0 0",
        "m=video 0 RTP/AVP 96",
        "m=audio 40000 RTP/AVP 8 101",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=ptime:20",
        "a=sendrecv",
        "",
      ].join("\r\n"),
    );
  });

  it("maps dynamic payload types named PCMU", () => {
    const chosen = chooseAudio(offer(["m=audio 6000 RTP/AVP 97", "a=rtpmap:97 pcmu/8000"]));
    assert.ok(typeof chosen !== "string");
    assert.deepEqual([chosen.choice.codec, chosen.choice.payloadType], ["PCMU", 97]);
  });

  it("mirrors the direction; c=0.0.0.0 is hold", () => {
    const direction = (media: string[], session: string[] = []) => {
      const chosen = chooseAudio(offer(media, session));
      return typeof chosen === "string" ? chosen : chosen.choice.direction;
    };
    assert.equal(direction(["m=audio 6000 RTP/AVP 0", "a=sendonly"]), "recvonly");
    assert.equal(direction(["m=audio 6000 RTP/AVP 0"], ["a=recvonly"]), "sendonly");
    assert.equal(direction(["m=audio 6000 RTP/AVP 0", "a=inactive"]), "inactive");
    assert.equal(direction(["m=audio 6000 RTP/AVP 0", "c=IN IP4 0.0.0.0"]), "inactive");
  });

  const refused: Array<[string, string]> = [
    ["no G.711", offer(["m=audio 6000 RTP/AVP 9 111", "a=rtpmap:111 opus/48000/2"])],
    ["SRTP only", offer(["m=audio 6000 RTP/SAVP 0"])],
    ["WebRTC's DTLS profile", offer(["m=audio 6000 UDP/TLS/RTP/SAVPF 0"])],
    ["a disabled audio section", offer(["m=audio 0 RTP/AVP 0"])],
    ["IPv6", offer(["m=audio 6000 RTP/AVP 0"]).replace("c=IN IP4 10.0.0.1", "c=IN IP6 ::1")],
    ["a hostname address", offer(["m=audio 6000 RTP/AVP 0"]).replace("c=IN IP4 10.0.0.1", "c=IN IP4 pbx.example")],
    ["a port beyond 65535", offer(["m=audio 70000 RTP/AVP 0"])],
    ["no v=0 first", offer(["m=audio 6000 RTP/AVP 0"]).replace("v=0\r\n", "")],
    ["no o= line", offer(["m=audio 6000 RTP/AVP 0"]).replace("o=- 5 5 IN IP4 10.0.0.1\r\n", "")],
    ["too many media sections", offer(Array.from({ length: sdpLimits.maxMedia + 1 }, () => "m=audio 6000 RTP/AVP 0"))],
    ["too many lines", offer(Array.from({ length: sdpLimits.maxLines }, () => "a=x"))],
    ["a control character", offer(["m=audio 6000 RTP/AVP 0", "a=x\u0001"])],
  ];
  for (const [what, text] of refused) {
    it(`cannot serve ${what}`, () => {
      assert.equal(typeof chooseAudio(text), "string");
    });
  }

  it("survives 20000 mutated offers; whatever it accepts names a usable address and port", () => {
    const random = createRandom(11);
    const base = offer(["m=audio 6000 RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000", "a=sendrecv"]);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = Buffer.from(mutate(base, random)).toString("utf8");
      const parsed = parseSdp(text);
      const chosen = chooseAudio(text);
      if (typeof chosen === "string") continue;
      accepted++;
      assert.notEqual(typeof parsed, "string");
      assert.match(chosen.choice.remote.address, /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/);
      assert.ok(chosen.choice.remote.port > 0 && chosen.choice.remote.port <= 65535);
      assert.match(writeAnswer(chosen.offer, chosen.choice, local), /^v=0\r\n/);
    }
    assert.ok(accepted > 100, `some mutations stay valid (${accepted})`);
  });
});
