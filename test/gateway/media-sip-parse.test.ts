// The strict SIP parser: what it accepts, what it refuses (and whether a 400 is possible), and fuzzing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseSipMessage, sipLimits, type SipRequest } from "../../gateway/media/sip/sip-parse.ts";
import { parseNameAddr, parseVia, splitHeaderList } from "../../gateway/media/sip/sip-headers.ts";
import { createRandom, mutate, sampleInvite } from "./media-fuzz.ts";

const bytes = (text: string) => Buffer.from(text, "utf8");
const invite = sampleInvite(5090);
const options = (extra: string[] = []) =>
  [
    "OPTIONS sip:rtcgw@127.0.0.1 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc",
    "From: <sip:a@127.0.0.1>;tag=1",
    "To: <sip:rtcgw@127.0.0.1>",
    "Call-ID: x1",
    "CSeq: 1 OPTIONS",
    ...extra,
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");

describe("SIP parser", () => {
  it("reads a well-formed INVITE with its SDP body", () => {
    const result = parseSipMessage(bytes(invite));
    assert.equal(result.ok, true);
    const request = (result as { message: SipRequest }).message;
    assert.equal(request.method, "INVITE");
    assert.equal(request.uri, "sip:12345678@127.0.0.1:5090");
    assert.equal(request.branch, "z9hG4bK776asdhds");
    assert.equal(request.from.params.get("tag"), "1928301774");
    assert.equal(request.to.params.has("tag"), false);
    assert.deepEqual(request.cseq, { number: 314159, method: "INVITE" });
    assert.deepEqual(request.recordRoutes, ["<sip:127.0.0.1:5060;lr>"]);
    assert.match(request.body, /^v=0\r\n/);
  });

  it("accepts compact header names, folded lines and comma-joined Via values", () => {
    const text = options()
      .replace(
        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc",
        "v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc,\r\n SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKdef",
      )
      .replace("Call-ID: x1", "i: x1");
    const result = parseSipMessage(bytes(text));
    assert.equal(result.ok, true);
    const request = (result as { message: SipRequest }).message;
    assert.deepEqual(request.vias, ["SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc", "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKdef"]);
    assert.equal(request.callId, "x1");
  });

  it("treats a CRLF keep-alive as such", () => {
    assert.deepEqual(parseSipMessage(bytes("\r\n\r\n")), { ok: "keepalive" });
  });

  const refused: Array<[string, string, boolean]> = [
    ["an oversized datagram", options([`X-Pad: ${"a".repeat(sipLimits.maxBytes)}`]), false],
    ["too many headers", options(Array.from({ length: sipLimits.maxHeaders }, (_, i) => `X-H${i}: 1`)), false],
    ["a header line over the limit", options([`X-Long: ${"b".repeat(sipLimits.maxLineLength)}`]), false],
    ["a NUL byte in a header", options(["X-Nul: a\0b"]), false],
    ["a bad start line", options().replace("OPTIONS sip:rtcgw@127.0.0.1 SIP/2.0", "OPTIONS  sip:rtcgw SIP/3.0"), false],
    ["a missing Call-ID", options().replace("Call-ID: x1\r\n", ""), false],
    ["two Call-ID headers", options(["Call-ID: x2"]), true],
    ["a CSeq method that is not the request's", options().replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE"), true],
    ["a CSeq number beyond 2^31", options().replace("CSeq: 1 OPTIONS", "CSeq: 4294967296 OPTIONS"), true],
    ["a Via without branch", options().replace(";branch=z9hG4bKabc", ""), true],
    ["a Content-Length beyond the body", options().replace("Content-Length: 0", "Content-Length: 10"), true],
    ["a non-numeric Max-Forwards", options(["Max-Forwards: many"]), true],
    ["a Request-URI that is not SIP", options().replace("sip:rtcgw@127.0.0.1", "http://example.com/"), true],
    ["a bare-LF message", options().replaceAll("\r\n", "\n"), false],
  ];
  for (const [what, text, respondable] of refused) {
    it(`refuses ${what}${respondable ? " with enough parsed for a 400" : ""}`, () => {
      const result = parseSipMessage(bytes(text));
      assert.equal(result.ok, false);
      if (result.ok === false) assert.equal(result.request !== undefined && result.request.vias.length > 0, respondable, result.reason);
    });
  }

  it("refuses bytes that are not UTF-8", () => {
    const result = parseSipMessage(Buffer.concat([bytes(options()), Buffer.from([0xc3, 0x28])]));
    assert.equal(result.ok, false);
  });

  it("reads name-addr, Via and list values strictly", () => {
    assert.equal(parseNameAddr('"A, <b>" <sip:a@b>;tag=x')?.params.get("tag"), "x");
    assert.equal(parseNameAddr("sip:a@b;tag=y")?.uri, "sip:a@b");
    assert.equal(parseNameAddr("<http://x>"), undefined);
    assert.equal(parseNameAddr("<sip:a@b"), undefined);
    assert.equal(parseVia("SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;rport")?.params.get("rport"), "");
    assert.equal(parseVia("SIP/2.0/UDP"), undefined);
    assert.deepEqual(splitHeaderList('<sip:a;lr>, "x,y" <sip:b>'), ["<sip:a;lr>", '"x,y" <sip:b>']);
  });

  it("survives 20000 mutated messages without throwing, and whatever it accepts is consistent", () => {
    const random = createRandom(7);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const datagram = mutate(i % 2 ? invite : options(), random);
      const result = parseSipMessage(datagram);
      if (result.ok !== true) continue;
      accepted++;
      const message = result.message;
      assert.ok(datagram.length <= sipLimits.maxBytes);
      assert.ok(message.headers.length <= sipLimits.maxHeaders);
      assert.ok(message.callId.length > 0 && message.vias.length > 0);
      if (message.kind === "request") assert.equal(message.cseq.method, message.method);
    }
    assert.ok(accepted > 100, `some mutations stay valid and are accepted (${accepted})`);
  });
});
