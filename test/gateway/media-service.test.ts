// The service as shipped (the esbuild bundle under node) and the running service under fuzzed SIP, SDP and RTP.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { bundleMediaService } from "../../gateway/media/bundle-media-service.ts";
import { startMediaService } from "../../gateway/media/server.ts";
import { defaultMediaSettings } from "../../gateway/media/settings.ts";
import { createPhone } from "./media-phone.ts";
import { createRandom, mutate, sampleInvite } from "./media-fuzz.ts";

describe("media service as shipped and under fuzzing", () => {
  it("bundles into one node20 module with only node: imports that starts, answers OPTIONS and stops on SIGTERM", async () => {
    const files = await bundleMediaService({ port: 5090, roomLimit: 50 });
    assert.deepEqual(
      files.map((f) => f.path),
      ["files/usr/lib/rtcgw/media-service.mjs", "files/etc/systemd/system/rtcgw-media.service"],
    );
    const script = files[0]!.content;
    const imports = [...script.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    assert.ok(imports.length > 0 && imports.every((name) => name.startsWith("node:")), `imports: ${imports.join(", ")}`);
    const dir = mkdtempSync(join(tmpdir(), "rtcgw-media-"));
    try {
      writeFileSync(join(dir, "media-service.mjs"), script);
      const child = spawn(process.execPath, [join(dir, "media-service.mjs"), "--port", "0", "--room-limit", "3"], { stdio: ["ignore", "pipe", "inherit"] });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const phone = await createPhone(0);
      try {
        const port = await phone.waitFor(() => /on 127\.0\.0\.1:([0-9]+) \(room limit 3\)/.exec(output)?.[1]);
        const probe = await createPhone(Number(port));
        probe.request("OPTIONS", "rtcgw");
        assert.equal((await probe.waitForResponse("OPTIONS", () => true)).status, 200);
        probe.close();
      } finally {
        phone.close();
        child.kill("SIGTERM");
      }
      const [code] = await once(child, "exit");
      assert.equal(code, 0, output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stays up through 4000 fuzzed SIP/SDP datagrams and garbage RTP, answers 400 where it can, then still serves calls", async () => {
    const logs: string[] = [];
    const service = await startMediaService({ ...defaultMediaSettings, port: 0, maxDialogs: 300 }, { log: (line) => logs.push(line) });
    const fuzzer = await createPhone(service.sipPort);
    const live = await createPhone(service.sipPort);
    try {
      assert.equal((await live.call("music")).status, 200);
      const random = createRandom(2024);
      const options = [
        "OPTIONS sip:rtcgw@127.0.0.1 SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKf",
        "From: <sip:f@127.0.0.1>;tag=1",
        "To: <sip:rtcgw@127.0.0.1>",
        "Call-ID: fuzz",
        "CSeq: 1 OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      const bases = [
        sampleInvite(service.sipPort),
        sampleInvite(service.sipPort, "music"),
        options,
        options.replaceAll("OPTIONS", "BYE"),
        options.replaceAll("OPTIONS", "CANCEL"),
      ];
      for (let i = 0; i < 4000; i++) {
        const base = bases[i % bases.length]!.replace("a84b4c76e66710", `call${i}`).replace("z9hG4bK776asdhds", `z9hG4bK${i}`);
        fuzzer.sendRaw(mutate(base, random));
        // Garbage to the live call's RTP port too.
        if (i % 10 === 0 && live.remoteRtp) live.rtp.send(mutate("\x80\x00\x00\x01rtp-ish payload", random), live.remoteRtp.port, "127.0.0.1");
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const before = live.packets.length;
      const probe = await createPhone(service.sipPort);
      // The burst may still fill the socket's receive buffer: the probe retransmits like any UAC would.
      assert.equal((await probe.probe()).status, 200);
      probe.close();
      await live.waitFor(() => live.packets.length >= before + 25 || undefined);
      assert.ok(
        fuzzer.messages.some((m) => m.status === 400),
        "malformed requests with their dialog headers get 400",
      );
      assert.ok(
        logs.some((l) => l.startsWith("dropped datagram")),
        "unanswerable datagrams are dropped",
      );
      assert.equal(logs.filter((l) => l.startsWith("internal error")).join("\n"), "", "no handler threw");
    } finally {
      fuzzer.close();
      live.close();
      await service.stop();
    }
  });
});
