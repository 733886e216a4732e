// The pure parts of the media service: G.711, RTP, the jitter buffer, mix-minus, the tune, the frame clock, settings.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeG711, encodeG711 } from "../../gateway/media/audio/g711.ts";
import { createRtpSender, parseRtpPacket, writeRtpPacket } from "../../gateway/media/audio/rtp.ts";
import { acceptRtp, createMediaLeg, frameSamples, takeFrame } from "../../gateway/media/audio/media-leg.ts";
import { subtractAndClip, sumFrames } from "../../gateway/media/audio/mixer.ts";
import { encodeTuneFrames, synthesiseTune } from "../../gateway/media/rooms/music.ts";
import { startFrameClock, type ClockPort } from "../../gateway/media/audio/frame-clock.ts";
import { readMediaSettings } from "../../gateway/media/settings.ts";
import { writeMediaServiceUnit } from "../../gateway/media/bundle-media-service.ts";
import { findCallTarget } from "../../gateway/media/sip/dialogs.ts";
import type { AudioChoice } from "../../gateway/media/sdp/sdp-answer.ts";
import { measureToneShare, writeToneFrame } from "./media-audio.ts";

const choice: AudioChoice = {
  index: 0,
  codec: "PCMU",
  payloadType: 0,
  dtmfPayloadType: 101,
  remote: { address: "127.0.0.1", port: 4000 },
  direction: "sendrecv",
};

describe("media core", () => {
  it("G.711 round-trips within the law's step size, for both laws", () => {
    for (const codec of ["PCMU", "PCMA"] as const) {
      const samples = Int16Array.from({ length: 2001 }, (_, i) => (i - 1000) * 32);
      const bytes = new Uint8Array(samples.length);
      const back = new Int16Array(samples.length);
      encodeG711(codec, samples, bytes);
      decodeG711(codec, bytes, back);
      for (let i = 0; i < samples.length; i++) {
        const error = Math.abs(back[i]! - samples[i]!);
        assert.ok(error <= Math.max(16, Math.abs(samples[i]!) / 16), `${codec} ${samples[i]} → ${back[i]}`);
      }
    }
    const silence = new Uint8Array(2);
    encodeG711("PCMU", [0, 0], silence);
    assert.deepEqual([...silence], [0xff, 0xff]);
    encodeG711("PCMA", [0, 0], silence);
    assert.deepEqual([...silence], [0xd5, 0xd5]);
  });

  it("writes RTP that it parses back, with marker, sequence and timestamp advancing", () => {
    const sender = createRtpSender(() => 0.5);
    const packet = new Uint8Array(172);
    writeRtpPacket(sender, 8, new Uint8Array(160).fill(7), packet);
    const first = parseRtpPacket(packet.slice())!;
    writeRtpPacket(sender, 8, new Uint8Array(160), packet);
    const second = parseRtpPacket(packet.slice())!;
    assert.deepEqual([first.marker, first.payloadType, first.payload.length, first.payload[0]], [true, 8, 160, 7]);
    assert.deepEqual([second.marker, second.sequence - first.sequence, second.timestamp - first.timestamp], [false, 1, 160]);
    assert.equal(parseRtpPacket(new Uint8Array([0x80, 0x00])), undefined, "too short");
    assert.equal(parseRtpPacket(Uint8Array.from([0x40, ...new Uint8Array(11)])), undefined, "version 1");
    assert.equal(parseRtpPacket(Uint8Array.from([0x8f, ...new Uint8Array(15)])), undefined, "CSRC count beyond the packet");
    assert.equal(parseRtpPacket(Uint8Array.from([0x80, 200, ...new Uint8Array(10)])), undefined, "RTCP");
  });

  it("buffers two frames before playing, bounds latency, and logs a finished DTMF event once", () => {
    const leg = createMediaLeg(choice, 0);
    const out = new Int16Array(frameSamples);
    const packet = (payloadType: number, payload: Uint8Array, timestamp = 0) => ({ payloadType, marker: false, sequence: 0, timestamp, ssrc: 1, payload });
    acceptRtp(leg, packet(0, new Uint8Array(160).fill(0x80)), 1);
    assert.equal(takeFrame(leg, out), false, "one frame is not enough to start");
    acceptRtp(leg, packet(0, new Uint8Array(160).fill(0x80)), 2);
    assert.equal(takeFrame(leg, out), true);
    assert.ok(out[0]! > 30000);
    for (let i = 0; i < 20; i++) acceptRtp(leg, packet(0, new Uint8Array(160)), 3);
    assert.ok(leg.level <= 6 * frameSamples, `latency stays bounded (${leg.level} samples)`);
    const end = Uint8Array.from([5, 0x80, 0, 160]);
    assert.deepEqual(acceptRtp(leg, packet(101, end, 99), 4), { dtmf: 5 });
    assert.equal(acceptRtp(leg, packet(101, end, 99), 4), undefined, "the repeated end packet is not a second event");
    assert.equal(acceptRtp(leg, packet(18, new Uint8Array(20)), 5), undefined);
    assert.equal(leg.lastRtpAt, 4, "a foreign payload type does not count as media");
  });

  it("mixes minus: each output is the sum without its own frame, clipped", () => {
    const a = new Int16Array(frameSamples).fill(1000);
    const b = new Int16Array(frameSamples).fill(-300);
    const c = new Int16Array(frameSamples).fill(30000);
    const sum = new Int32Array(frameSamples);
    const out = new Int16Array(frameSamples);
    sumFrames([a, b, c], sum);
    subtractAndClip(sum, a, out);
    assert.equal(out[0], 29700);
    subtractAndClip(sum, b, out);
    assert.equal(out[0], 31000);
    sumFrames([c, c], sum);
    subtractAndClip(sum, undefined, out);
    assert.equal(out[0], 32767, "clipped, not wrapped");
    const tone = new Int16Array(frameSamples);
    writeToneFrame(tone, 440, 0);
    sumFrames([tone, b], sum);
    subtractAndClip(sum, tone, out);
    assert.ok(
      out.every((x) => x === -300),
      "a speaker's own tone cancels exactly",
    );
  });

  it("synthesises a tune of whole frames that is audible and not one steady tone", () => {
    const tune = synthesiseTune();
    assert.equal(tune.length % frameSamples, 0);
    assert.ok(tune.length / 8000 > 5 && tune.length / 8000 < 30, `${tune.length / 8000} s`);
    assert.ok(tune.some((x) => Math.abs(x) > 5000));
    assert.ok(measureToneShare(tune, 277.18) < 0.5, "a melody, not a single note");
    assert.equal(encodeTuneFrames(tune, "PCMA").length, tune.length / frameSamples);
  });

  it("ticks on absolute targets: lateness is measured, never accumulated, and a long stall skips ahead", () => {
    let now = 0;
    const pending: Array<{ at: number; run: () => void }> = [];
    const clock: ClockPort = { now: () => now, setTimeout: (run, ms) => pending.push({ at: now + ms, run }), clearTimeout: () => {} };
    const ticks: number[] = [];
    const frameClock = startFrameClock(() => ticks.push(now), { clock });
    const fire = (delay: number) => {
      const next = pending.shift()!;
      now = Math.max(now, next.at) + delay;
      next.run();
    };
    for (let i = 0; i < 10; i++) fire(i === 4 ? 7 : 0);
    assert.ok(
      ticks.every((at, i) => Math.abs(at - (i + 1) * 20) <= 1 || i === 4),
      `ticks at ${ticks.join(",")}`,
    );
    assert.ok(ticks[5]! <= 121, "the tick after a late one is back on its target");
    assert.equal(frameClock.stats.lateTicks, 1);
    fire(500);
    assert.ok(frameClock.stats.skippedTicks >= 20);
    frameClock.stop();
  });

  it("reads settings from arguments over environment over defaults, with clear errors", () => {
    const read = readMediaSettings(["--port", "6000", "--room-limit", "7"], { RTCGW_MEDIA_PORT: "5999", RTCGW_MEDIA_RTP_TIMEOUT_MS: "1000" });
    assert.ok(read.ok);
    assert.deepEqual([read.settings.port, read.settings.roomLimit, read.settings.rtpTimeoutMs, read.settings.address], [6000, 7, 1000, "127.0.0.1"]);
    assert.deepEqual(readMediaSettings(["--room-limit", "0"], {}), { ok: false, error: "Expected `--room-limit` to be an integer from 1 to 10000, got `0`" });
    assert.equal(readMediaSettings(["--rooms", "1"], {}).ok, false);
    assert.equal(readMediaSettings(["--address", "localhost"], {}).ok, false);
  });

  // Bound to loopback; IP traffic only with loopback and private networks (rtpengine relays RTP from the
  // instance's private address).
  it("writes a sandboxed unit listening on loopback, with the recipe's port and room limit", () => {
    const unit = writeMediaServiceUnit({ port: 5091, roomLimit: 12 });
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/usr\/lib\/rtcgw\/media-service\.mjs --address 127\.0\.0\.1 --port 5091 --room-limit 12$/m);
    for (const line of [
      "DynamicUser=yes",
      "NoNewPrivileges=yes",
      "IPAddressDeny=any",
      "IPAddressAllow=localhost 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10",
      "ProtectSystem=strict",
      "CapabilityBoundingSet=",
    ]) {
      assert.ok(unit.split("\n").includes(line), line);
    }
  });

  it("routes 8 digits (with or without the star) to a room and `music` to the tune", () => {
    assert.deepEqual(findCallTarget("sip:12345678@127.0.0.1"), { kind: "room", room: "12345678" });
    assert.deepEqual(findCallTarget("sip:*12345678@127.0.0.1"), { kind: "room", room: "12345678" });
    assert.deepEqual(findCallTarget("sip:music@127.0.0.1"), { kind: "music" });
    assert.equal(findCallTarget("sip:1234567@127.0.0.1"), undefined);
    assert.equal(findCallTarget("sip:127.0.0.1"), undefined);
  });
});
