// Conference rooms over real UDP on loopback: mix-minus, isolation between rooms, leaving, hold and unhold.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startMediaService, type RunningMediaService } from "../../gateway/media/server.ts";
import { defaultMediaSettings } from "../../gateway/media/settings.ts";
import { createPhone, type Phone } from "./media-phone.ts";
import { measureToneShare } from "./media-audio.ts";

const second = 8000;

describe("media service conference", () => {
  let service: RunningMediaService;
  const phones: Phone[] = [];
  const phone = async (codec: "PCMU" | "PCMA" = "PCMU") => {
    const created = await createPhone(service.sipPort, codec);
    phones.push(created);
    return created;
  };

  before(async () => {
    service = await startMediaService({ ...defaultMediaSettings, port: 0 }, { log: () => {} });
  });
  after(async () => {
    for (const p of phones) p.close();
    await service.stop();
  });

  it("mixes three participants: each hears the others, never itself; a second room stays apart; a leaver goes silent", async () => {
    const [a, b, c] = [await phone(), await phone("PCMA"), await phone()];
    for (const p of [a, b, c]) assert.equal((await p.call("12345678")).status, 200);
    a.startSending(440);
    b.startSending(880);
    c.startSending(0);
    const [d, e] = [await phone(), await phone("PCMA")];
    for (const p of [d, e]) assert.equal((await p.call("87654321")).status, 200);
    d.startSending(1300);
    e.startSending(0);
    assert.deepEqual({ rooms: service.stats().rooms, roomLegs: service.stats().roomLegs }, { rooms: 2, roomLegs: 5 });

    // Let the jitter buffers fill, then judge one second of audio at each phone.
    await Promise.all([a, b, c, d, e].map((p) => p.listen(second / 2)));
    const [heardA, heardB, heardC, heardE] = await Promise.all([a, b, c, e].map((p) => p.listen(second)));
    const shares = (samples: Int16Array) => ({
      f440: measureToneShare(samples, 440),
      f880: measureToneShare(samples, 880),
      f1300: measureToneShare(samples, 1300),
    });
    const [sa, sb, sc, se] = [heardA, heardB, heardC, heardE].map((s) => shares(s!));
    assert.ok(sc!.f440 > 0.25 && sc!.f880 > 0.25, `C hears both tones: ${JSON.stringify(sc)}`);
    assert.ok(sa!.f880 > 0.8 && sa!.f440 < 0.01, `A hears 880 Hz, not its own 440 Hz: ${JSON.stringify(sa)}`);
    assert.ok(sb!.f440 > 0.8 && sb!.f880 < 0.01, `B hears 440 Hz, not its own 880 Hz: ${JSON.stringify(sb)}`);
    assert.ok(sc!.f1300 < 0.01 && sa!.f1300 < 0.01, `room 12345678 does not hear room 87654321: ${JSON.stringify({ sa, sc })}`);
    assert.ok(se!.f1300 > 0.8 && se!.f440 < 0.01 && se!.f880 < 0.01, `E hears only D: ${JSON.stringify(se)}`);

    b.stopSending();
    b.request("BYE", "12345678");
    assert.equal((await b.waitForResponse("BYE", (s) => s >= 200)).status, 200);
    await c.listen(second / 2);
    const afterLeave = shares(await c.listen(second));
    assert.ok(afterLeave.f440 > 0.8 && afterLeave.f880 < 0.01, `after B left, C hears only A: ${JSON.stringify(afterLeave)}`);
    assert.equal(service.stats().roomLegs, 4);

    for (const p of [a, c, d, e]) {
      p.stopSending();
      p.request("BYE", p === d || p === e ? "87654321" : "12345678");
      assert.equal((await p.waitForResponse("BYE", (s) => s >= 200)).status, 200);
    }
    assert.deepEqual({ rooms: service.stats().rooms, dialogs: service.stats().dialogs }, { rooms: 0, dialogs: 0 }, "empty rooms are freed");
  });

  it("holds and resumes with re-INVITE: a held leg is neither mixed nor sent to", async () => {
    const [a, b] = [await phone(), await phone()];
    for (const p of [a, b]) assert.equal((await p.call("11112222")).status, 200);
    a.startSending(440);
    b.startSending(0);
    assert.ok(measureToneShare(await b.listen(second), 440) > 0.5, "B hears A before hold");

    const sent = a.messages.length;
    a.request("INVITE", "11112222", { body: a.offer("sendonly") });
    const held = await a.waitForResponse("INVITE", (s) => s >= 200, sent);
    assert.equal(held.status, 200);
    assert.match(held.body, /a=recvonly/);
    a.request("ACK", "11112222", { cseq: a.cseq });
    await b.listen(second / 2);
    const duringHold = await b.listen(second / 2);
    assert.ok(measureToneShare(duringHold, 440) < 0.01, "B no longer hears A while A is on hold");
    const packetsToA = a.packets.length;
    await b.listen(second / 2);
    assert.ok(a.packets.length - packetsToA <= 1, `the held leg gets no RTP (got ${a.packets.length - packetsToA})`);

    const resumed = a.messages.length;
    a.request("INVITE", "11112222", { body: a.offer("sendrecv") });
    const unheld = await a.waitForResponse("INVITE", (s) => s >= 200, resumed);
    assert.match(unheld.body, /a=sendrecv/);
    assert.match(unheld.body, /o=rtcgw [0-9]+ 3 IN IP4/, "session version went up with each answer");
    a.request("ACK", "11112222", { cseq: a.cseq });
    await b.listen(second / 2);
    assert.ok(measureToneShare(await b.listen(second / 2), 440) > 0.5, "B hears A again after unhold");
    await a.listen(160);
    for (const p of [a, b]) {
      p.stopSending();
      p.request("BYE", "11112222");
      await p.waitForResponse("BYE", (s) => s >= 200);
    }
  });
});
