// Single calls against the running service over loopback UDP: music, refusals, CANCEL, limits, timeouts, retransmission.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startMediaService, type RunningMediaService } from "../../gateway/media/server.ts";
import { defaultMediaSettings, type MediaServiceSettings } from "../../gateway/media/settings.ts";
import { createPhone, type Phone } from "./media-phone.ts";
import { measureRms } from "./media-audio.ts";

const running: RunningMediaService[] = [];
const phones: Phone[] = [];
async function start(overrides: Partial<MediaServiceSettings> = {}): Promise<RunningMediaService> {
  const service = await startMediaService({ ...defaultMediaSettings, port: 0, ...overrides }, { log: () => {} });
  running.push(service);
  return service;
}
async function phone(service: RunningMediaService): Promise<Phone> {
  const created = await createPhone(service.sipPort);
  phones.push(created);
  return created;
}

describe("media service calls", () => {
  after(async () => {
    for (const p of phones) p.close();
    for (const s of running) await s.stop();
  });

  it("plays the tune to a music call as continuous RTP: one packet per 20 ms, no gaps", async () => {
    const service = await start();
    const caller = await phone(service);
    const answer = await caller.call("music");
    assert.equal(answer.status, 200);
    assert.match(answer.body, /m=audio [0-9]+ RTP\/AVP 0\r\n/);
    await caller.waitFor(() => caller.packets.length >= 100);
    const packets = caller.packets.slice(0, 100);
    const span = packets[99]!.at - packets[0]!.at;
    // 99 intervals of 20 ms; generous bounds because the test machine is shared, but a burst or a stall would show.
    assert.ok(span > 99 * 20 * 0.8 && span < 99 * 20 * 1.25, `100 packets took ${span.toFixed(0)} ms (expected about ${99 * 20})`);
    for (let i = 1; i < packets.length; i++) {
      assert.equal(packets[i]!.sequence, (packets[i - 1]!.sequence + 1) & 0xffff, "sequence numbers have no gap");
      assert.equal(packets[i]!.timestamp, (packets[i - 1]!.timestamp + 160) >>> 0, "timestamps advance 160 per packet");
    }
    assert.ok(measureRms(Int16Array.from(caller.heard)) > 500, "the tune is audible, not silence");
    caller.request("BYE", "music");
    assert.equal((await caller.waitForResponse("BYE", (s) => s >= 200)).status, 200);
    assert.equal(service.stats().musicLegs, 0);
  });

  it("answers OPTIONS, refuses unknown users, unserviceable offers, other methods and unknown dialogs", async () => {
    const service = await start();
    const p = await phone(service);
    p.request("OPTIONS", "rtcgw");
    const options = await p.waitForResponse("OPTIONS", () => true);
    assert.equal(options.status, 200);
    assert.match(options.header("allow") ?? "", /INVITE, ACK, BYE, CANCEL, OPTIONS/);
    assert.equal((await p.call("alice")).status, 404);
    const opusOnly = await phone(service);
    assert.equal((await opusOnly.call("12345678", { body: opusOnly.offer("sendrecv", "111") })).status, 488);
    const srtp = await phone(service);
    assert.equal((await srtp.call("12345678", { body: srtp.offer().replace("RTP/AVP", "RTP/SAVP") })).status, 488);
    p.request("REGISTER", "rtcgw");
    assert.equal((await p.waitForResponse("REGISTER", () => true)).status, 405);
    const stranger = await phone(service);
    stranger.toTag = "nosuchdialog";
    stranger.request("BYE", "12345678");
    assert.equal((await stranger.waitForResponse("BYE", () => true)).status, 481);
    const tooFar = await phone(service);
    tooFar.request("OPTIONS", "rtcgw", { extra: ["Require: 100rel"] });
    assert.equal((await tooFar.waitForResponse("OPTIONS", () => true)).status, 420);
  });

  it("CANCEL before the answer: 200 for the CANCEL, 487 for the INVITE", async () => {
    const service = await start({ answerDelayMs: 1500 });
    const p = await phone(service);
    const branch = p.request("INVITE", "12345678", { body: p.offer(), cseq: p.cseq });
    assert.equal((await p.waitForResponse("INVITE", (s) => s === 100)).status, 100);
    p.request("CANCEL", "12345678", { branch, cseq: p.cseq });
    assert.equal((await p.waitForResponse("CANCEL", () => true)).status, 200);
    const final = await p.waitForResponse("INVITE", (s) => s >= 200);
    assert.equal(final.status, 487);
    p.request("ACK", "12345678", { branch, cseq: p.cseq });
    await new Promise((resolve) => setTimeout(resolve, 1700));
    assert.equal(p.messages.filter((m) => m.status === 200 && m.header("cseq")?.endsWith("INVITE")).length, 0, "the cancelled call is never answered");
    assert.deepEqual({ dialogs: service.stats().dialogs, rooms: service.stats().rooms }, { dialogs: 0, rooms: 0 });
  });

  it("refuses a new room beyond the room limit (503) and a full room (486)", async () => {
    const service = await start({ roomLimit: 1, participantLimit: 2 });
    const [a, b, c, d] = [await phone(service), await phone(service), await phone(service), await phone(service)];
    assert.equal((await a.call("10000001")).status, 200);
    assert.equal((await b.call("10000001")).status, 200);
    assert.equal((await c.call("10000001")).status, 486);
    const other = await d.call("10000002");
    assert.equal(other.status, 503);
    assert.ok(other.header("retry-after"), "503 says when to retry");
    a.request("BYE", "10000001");
    await a.waitForResponse("BYE", (s) => s >= 200);
    b.request("BYE", "10000001");
    await b.waitForResponse("BYE", (s) => s >= 200);
    const e = await phone(service);
    assert.equal((await e.call("10000002")).status, 200, "the freed room no longer counts against the limit");
  });

  it("hangs up with BYE when RTP stops", async () => {
    const service = await start({ rtpTimeoutMs: 300 });
    const p = await phone(service);
    assert.equal((await p.call("12345678")).status, 200);
    const bye = await p.waitFor(() => p.messages.find((m) => m.firstLine.startsWith("BYE ")));
    assert.match(bye.header("reason") ?? "", /RTP timeout/);
    assert.equal(bye.header("call-id"), p.callId);
    await p.waitFor(() => service.stats().dialogs === 0 || undefined);
    assert.equal(service.stats().rooms, 0);
  });

  it("resends the 200 until the ACK, and answers an INVITE without SDP with an offer taken up in the ACK", async () => {
    const service = await start();
    const p = await phone(service);
    const answer = await p.call("music", { body: null, ack: false });
    assert.equal(answer.status, 200);
    assert.match(answer.body, /m=audio [0-9]+ RTP\/AVP 0 8 101/);
    await p.waitFor(() => p.messages.filter((m) => m.status === 200).length >= 2 || undefined);
    assert.equal(p.packets.length, 0, "no audio before the answer arrives in the ACK");
    p.request("ACK", "music", { cseq: p.cseq, body: p.offer() });
    await p.waitFor(() => p.packets.length >= 10 || undefined);
    const okCount = p.messages.filter((m) => m.status === 200).length;
    await p.listen(160 * 60);
    assert.equal(p.messages.filter((m) => m.status === 200).length, okCount, "no 200 after the ACK");
  });
});
