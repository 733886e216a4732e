// The SIP UAS on fake ports (no network, virtual time): retransmissions, transaction matching, refusals.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SipUas, type Address, type MediaPort } from "../../gateway/media/sip/uas.ts";
import type { TimerPort } from "../../gateway/media/sip/transactions.ts";
import { sampleInvite } from "./media-fuzz.ts";

const source: Address = { address: "127.0.0.1", port: 5060 };

function createHarness(admit: ReturnType<MediaPort["admit"]> = { ok: true }) {
  let now = 0;
  let timers: Array<{ at: number; run: () => void; id: number }> = [];
  let nextId = 0;
  const timerPort: TimerPort = {
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimeout: (id) => (timers = timers.filter((t) => t.id !== id)),
  };
  const sent: Array<{ text: string; to: Address; at: number }> = [];
  const legs = { opened: 0, closed: 0, updates: 0 };
  const media: MediaPort = {
    admit: () => admit,
    open: async () => {
      legs.opened++;
      return { port: 40000, ssrc: 7, update: () => void legs.updates++, close: () => void legs.closed++ };
    },
  };
  const uas = new SipUas(
    { local: { address: "127.0.0.1", port: 5090 }, answerDelayMs: 0, maxDialogs: 10 },
    (text, to) => sent.push({ text, to, at: now }),
    media,
    timerPort,
    () => {},
  );
  return {
    uas,
    sent,
    legs,
    receive: async (text: string) => {
      uas.receive(Buffer.from(text), source);
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const due = timers[0];
        if (!due || due.at > end) break;
        timers.shift();
        now = due.at;
        due.run();
      }
      now = end;
    },
    statuses: () => sent.map((s) => s.text.split("\r\n")[0]!),
  };
}

const invite = sampleInvite(5090);
const ackFor = (response: string, branch: string, body = "") => {
  const toTag = /\r\nTo: [^\r]*;tag=([^;\r]+)/.exec(response)![1];
  return [
    "ACK sip:rtcgw@127.0.0.1:5090 SIP/2.0",
    `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`,
    'From: "Alice" <sip:alice@127.0.0.1>;tag=1928301774',
    `To: <sip:12345678@127.0.0.1>;tag=${toTag}`,
    "Call-ID: a84b4c76e66710@pc33.example",
    "CSeq: 314159 ACK",
    body ? "Content-Type: application/sdp" : "",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ]
    .filter((l, i) => l !== "" || i >= 8)
    .join("\r\n");
};

describe("media service UAS (virtual time)", () => {
  it("answers 100 then 200 with an SDP answer; resends the 200 at T1 doubling to T2; no ACK in 32 s ends the call with BYE", async () => {
    const h = createHarness();
    await h.receive(invite);
    assert.deepEqual(h.statuses(), ["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]);
    const ok = h.sent[1]!.text;
    assert.match(ok, /\r\nTo: <sip:12345678@127\.0\.0\.1>;tag=[0-9a-f]{16}\r\n/);
    assert.match(ok, /\r\nRecord-Route: <sip:127\.0\.0\.1:5060;lr>\r\n/);
    assert.match(ok, /\r\nContact: <sip:rtcgw@127\.0\.0\.1:5090>\r\n/);
    assert.match(ok, /m=audio 40000 RTP\/AVP 0 101\r\n/);
    h.advance(32_000);
    const resent = h.sent.filter((s) => s.text === ok).map((s) => s.at);
    assert.deepEqual(resent, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    const bye = h.sent.find((s) => s.text.startsWith("BYE "));
    assert.ok(bye, "a BYE after 64·T1 without ACK");
    assert.equal(bye.to.port, 5060, "sent to the first Record-Route hop");
    assert.match(bye.text, /^BYE sip:alice@127\.0\.0\.1:5060 SIP\/2\.0\r\n/);
    assert.match(bye.text, /\r\nRoute: <sip:127\.0\.0\.1:5060;lr>\r\n/);
    assert.match(bye.text, /\r\nCSeq: 2 BYE\r\n/);
    assert.equal(h.legs.closed, 1);
  });

  it("stops resending the 200 on the ACK, and a retransmitted INVITE gets the same 200 without a second leg", async () => {
    const h = createHarness();
    await h.receive(invite);
    await h.receive(invite);
    assert.equal(h.legs.opened, 1);
    assert.equal(h.sent[2]!.text, h.sent[1]!.text);
    await h.receive(ackFor(h.sent[1]!.text, "z9hG4bKack1"));
    const count = h.sent.length;
    h.advance(40_000);
    assert.equal(h.sent.length, count, "nothing sent after the ACK");
  });

  it("resends a final error to an INVITE until its ACK (same branch)", async () => {
    const h = createHarness({ ok: false, status: 503, reason: "room limit" });
    await h.receive(invite);
    assert.deepEqual(h.statuses(), ["SIP/2.0 503 Service Unavailable"]);
    h.advance(1600);
    assert.equal(h.sent.length, 3);
    await h.receive(ackFor(h.sent[0]!.text, "z9hG4bK776asdhds"));
    h.advance(10_000);
    assert.equal(h.sent.length, 3);
  });

  it("answers a BYE's 200 to its retransmissions, and stops its own BYE when the 200 comes", async () => {
    const h = createHarness();
    await h.receive(invite);
    await h.receive(ackFor(h.sent[1]!.text, "z9hG4bKack2"));
    const tag = /;tag=([0-9a-f]{16})/.exec(h.sent[1]!.text)![1];
    h.uas.stop();
    const bye = h.sent.find((s) => s.text.startsWith("BYE "))!.text;
    const branch = /branch=([^;\r]+)/.exec(bye)![1];
    await h.receive(
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch=${branch};rport\r\nFrom: <sip:12345678@127.0.0.1>;tag=${tag}\r\nTo: "Alice" <sip:alice@127.0.0.1>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.example\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n`,
    );
    const count = h.sent.length;
    h.advance(40_000);
    assert.equal(h.sent.length, count, "the BYE is not resent after its 200");
  });

  it("answers 400 when the dialog headers are there and drops what cannot be answered", async () => {
    const h = createHarness();
    await h.receive(invite.replace("CSeq: 314159 INVITE", "CSeq: 314159 BYE"));
    assert.match(h.statuses()[0]!, /^SIP\/2\.0 400 Bad Request \(CSeq method differs/);
    await h.receive(invite.replace(/Via: [^\r]+\r\n/, ""));
    await h.receive("garbage\r\n\r\n");
    assert.equal(h.sent.length, 1);
  });

  it("offers in the 200 when the INVITE has no SDP and takes the answer from the ACK", async () => {
    const h = createHarness();
    const bare = invite.replace(/Content-Type[^]*$/, "Content-Length: 0\r\n\r\n");
    await h.receive(bare);
    assert.match(h.sent[1]!.text, /m=audio 40000 RTP\/AVP 0 8 101/);
    const answer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 8\r\na=sendrecv\r\n";
    await h.receive(ackFor(h.sent[1]!.text, "z9hG4bKack3", answer));
    assert.equal(h.legs.updates, 1);
  });
});
