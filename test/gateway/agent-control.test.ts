// The agent against the real control interfaces: Kamailio (WS handshake through the agent's proxy,
// JSONRPC for registrations (htable.dump wsreg, as the gateway keeps them) and calls) and rtpengine (ng `list` and `statistics`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import WebSocket from "ws";
import { startFakeImds } from "../fakes/imds.ts";
import { agentConfigFor, makeRoot, startSsm } from "./agent-helpers.ts";
import { requestAgent } from "./agent-https-client.ts";
import { startTestKamailio } from "./agent-kamailio.ts";
import { runFirstBoot } from "../../gateway/agent/firstboot/run-first-boot.ts";
import { runAdminService } from "../../gateway/agent/admin/run-admin-service.ts";
import { installPaths, runtimePaths } from "../../gateway/agent/contract.ts";
import { queryRtpengine, sendNgCommand } from "../../gateway/agent/control/query-rtpengine.ts";
import { decodeBencode, encodeBencode } from "../../gateway/agent/control/bencode.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { startRtpengine } from "../harness/rtpengine.ts";
import { makeTempDir } from "../make-temp-dir.ts";

const instanceId = "i-0123456789abcdef0";

// rtpengine through the test harness: its media ports reserved below the ephemeral ports, its process ended by stop().
async function startTestRtpengine(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const [ngPort] = await findFreePorts(1);
  const engine = await startRtpengine(dir, { ngPort: ngPort!, ports: 100 });
  return { port: ngPort!, stop: () => engine.process.stop() };
}

// Sends one SIP message over a WebSocket and resolves with the first reply.
function sendSip(socket: WebSocket, message: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once("message", (data) => resolve(data.toString()));
    socket.send(message);
  });
}

test("bencode round-trips ng messages", () => {
  const value = { command: "list", limit: "32", nested: [1, "two", { three: 3 }] };
  assert.equal(encodeBencode(value).toString(), "d7:command4:list5:limit2:326:nestedli1e3:twod5:threei3eeee");
  assert.deepEqual(decodeBencode(encodeBencode(value)), value);
  assert.throws(() => decodeBencode(Buffer.from("d3:foo")), /bencode/);
});

test("the admin UI shows a browser registered through the agent's WSS proxy and a call anchored in rtpengine", async (t) => {
  const [imds, ssm, root, kamailio, rtpengine] = await Promise.all([
    startFakeImds({ instanceId, region: "us-east-1", localIpv4: "127.0.0.1" }),
    startSsm(),
    makeRoot(),
    startTestKamailio(),
    startTestRtpengine(makeTempDir(t, "rtcgw-agent-rtpengine-")),
  ]);
  t.after(async () => {
    await Promise.all([imds.close(), ssm.close(), kamailio.stop(), rtpengine.stop()]);
    await rm(root, { recursive: true, force: true });
  });
  const config = agentConfigFor();
  await runFirstBoot({
    root,
    config,
    imdsEndpoint: imds.endpoint,
    ssmEndpoint: ssm.endpoint,
    ssmCredentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    log: () => {},
  });
  await mkdir(join(root, installPaths.tryit), { recursive: true });
  await writeFile(join(root, installPaths.tryit, "index.html"), "<h1>tryit</h1>");
  // No CloudWatch here: metrics are tested on their own.
  const agent = await runAdminService({
    root,
    config: { ...config, metrics: { ...config.metrics, cloudwatch: false } },
    tlsCertPath: join(root, runtimePaths.tlsCertificate),
    tlsKeyPath: join(root, runtimePaths.tlsKey),
    passwordHashPath: join(root, runtimePaths.adminPasswordHash),
    assetsDirectory: join(root, installPaths.tryit),
    listen: { address: "127.0.0.1", port: 0 },
    kamailioPort: kamailio.port,
    rtpenginePort: rtpengine.port,
    log: () => {},
  });
  t.after(() => agent.close());

  const socket = new WebSocket(`wss://127.0.0.1:${agent.port}/`, "sip", { rejectUnauthorized: false, headers: { "X-Forwarded-For": "6.6.6.6" } });
  t.after(() => socket.close());
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const reply = await sendSip(
    socket,
    [
      "REGISTER sip:pbx.example.com SIP/2.0",
      "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK-agent-1;rport",
      "Max-Forwards: 70",
      "To: <sip:alice@pbx.example.com>",
      "From: <sip:alice@pbx.example.com>;tag=agent1",
      "Call-ID: agent-register-1",
      "CSeq: 1 REGISTER",
      "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>;expires=600",
      "User-Agent: agent-contract-test",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n"),
  );
  assert.match(reply, /^SIP\/2\.0 200 OK/);
  const log = kamailio.output.join("");
  assert.match(log, /ws handshake on \d+ from 127\.0\.0\.1 for 127\.0\.0\.1/, "Kamailio sees the client address the agent forwards (not a spoofed one)");
  assert.ok(!log.includes("6.6.6.6"));

  await sendNgCommand(rtpengine.port, {
    command: "offer",
    "call-id": "agent-call-1",
    "from-tag": "ft1",
    sdp: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n",
  });
  assert.deepEqual(await queryRtpengine(rtpengine.port), { callIds: ["agent-call-1"], sessions: 1 });

  const status = await requestAgent(agent.port, "/api/status", { user: "sbcadmin", password: instanceId });
  assert.equal(status.status, 200);
  const body = JSON.parse(status.body);
  assert.equal(body.registrations.ok, true, status.body);
  assert.deepEqual(
    body.registrations.value.map((r: { aor: string; userAgent: string }) => [r.aor, r.userAgent]),
    [["sip:alice@pbx.example.com", "agent-contract-test"]],
  );
  assert.deepEqual(body.calls, { ok: true, value: [] });
  assert.deepEqual(body.rtpengine, { ok: true, value: { callIds: ["agent-call-1"], sessions: 1 } });
  assert.equal(body.license.value.limits.mode, "demo");

  const rpcFromOutside = await requestAgent(agent.port, "/RPC", { user: "sbcadmin", password: instanceId });
  assert.equal(rpcFromOutside.status, 404, "Kamailio's RPC is not reachable through port 443");
});
