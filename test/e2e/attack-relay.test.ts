// Attack: the gateway as an open relay. A stranger (UDP, TCP) or an anonymous WebSocket client adds a fake
// To-tag and a Route through the gateway (or straight to the target) and asks it to carry MESSAGE, INVITE
// with SDP and OPTIONS to a foreign host or into the PBX; an anonymous caller with a real dialog forges an
// in-dialog request toward a foreign host. Nothing may reach the foreign host or the PBX, and legitimate
// calls work during and after.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { gatewayAddress, pbxAddress, startGatewayStack, strangerAddress, type GatewayStack } from "../harness/gateway-stack.ts";
import { startLegitimateCalls, type LegitimateCalls } from "../harness/legitimate-calls.ts";
import { openSipTcpClient, openSipWsClient, type SipStreamClient } from "../harness/sip-stream.ts";
import { buildSipRequest, openSipUdpClient, type SipUdpClient } from "../harness/sip-udp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const foreignAddress = "127.0.0.7";
let stack: GatewayStack;
let legitimate: LegitimateCalls;
let foreign: Socket;
let foreignPort: number;
const foreignGot: string[] = [];
const closers: (() => unknown)[] = [];

before(
  async () => {
    stack = await startGatewayStack(buildE2eRecipe());
    legitimate = await startLegitimateCalls(stack, "alice", e2eDomain);
    [foreignPort] = (await findFreePorts(1)) as [number];
    foreign = createSocket("udp4");
    foreign.on("message", (data) => foreignGot.push(data.toString("latin1").split("\r\n")[0]!));
    await new Promise<void>((resolve) => foreign.bind(foreignPort, foreignAddress, resolve));
  },
  { timeout: 60_000 },
);
after(async () => {
  for (const close of closers) await close();
  foreign?.close();
  await legitimate?.stop();
  await stack?.stop();
});

// Forged requests that reached the PBX (their R-URI names the PBX's own address; legitimate calls use the domain).
function forgedAtPbx(): string[] {
  return readFileSync(stack.pbx.logPath, "utf8").match(new RegExp(`PBX got \\w+ sip:bob@${pbxAddress.replace(/\./g, "\\.")}:.*`, "g")) ?? [];
}

const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

// The forged in-dialog requests of one source: each method toward the foreign host and the PBX, routed
// through the gateway's own address and straight to the target.
function forgedRequests(from: { address: string; port: number }, transport: string, gatewayPort: number): string[] {
  const targets = [`sip:victim@${foreignAddress}:${foreignPort}`, `sip:bob@${pbxAddress}:${stack.pbxPort}`];
  const requests: string[] = [];
  for (const uri of targets) {
    const host = uri.split("@")[1]!;
    for (const route of [`<sip:${gatewayAddress}:${gatewayPort};lr>`, `<sip:${host};lr>`, `<sip:${gatewayAddress}:${gatewayPort};lr;r2=on;ftag=x;did=abc.1>`]) {
      for (const method of ["MESSAGE", "INVITE", "OPTIONS"]) {
        requests.push(
          buildSipRequest({
            method,
            uri,
            from,
            transport,
            toTag: "forged1",
            userAgent: "Linphone/5.0",
            headers: [`Route: ${route}`],
            ...(method === "INVITE" ? { body: sdp } : method === "MESSAGE" ? { body: "" } : {}),
          }),
        );
      }
    }
  }
  return requests;
}

async function assertNothingRelayed(label: string): Promise<void> {
  await sleep(1500);
  assert.deepEqual(foreignGot, [], `${label}: the gateway relayed to the foreign host`);
  assert.deepEqual(forgedAtPbx(), [], `${label}: a forged request reached the PBX`);
}

test("forged in-dialog requests from a UDP stranger reach neither a foreign host nor the PBX; calls still work", { timeout: 120_000 }, async () => {
  foreignGot.length = 0;
  const stranger: SipUdpClient = await openSipUdpClient(strangerAddress, gatewayAddress, stack.gatewayPorts.sip[0]!);
  closers.push(() => stranger.close());
  const during = legitimate.check("during the UDP relay attempts");
  for (const request of forgedRequests(stranger, "UDP", stack.gatewayPorts.sip[0]!)) await stranger.send(request);
  await during;
  await assertNothingRelayed("UDP");
  await legitimate.check("after the UDP relay attempts");
});

test("forged in-dialog requests over TCP reach neither a foreign host nor the PBX", { timeout: 120_000 }, async () => {
  foreignGot.length = 0;
  const stranger: SipStreamClient = await openSipTcpClient("127.0.0.11", gatewayAddress, stack.gatewayPorts.sip[0]!);
  closers.push(() => stranger.close());
  for (const request of forgedRequests(stranger, "TCP", stack.gatewayPorts.sip[0]!)) stranger.send(request);
  await assertNothingRelayed("TCP");
});

test("an anonymous WebSocket client (no registration) cannot relay through forged in-dialog requests", { timeout: 120_000 }, async () => {
  foreignGot.length = 0;
  const anonymous = await openSipWsClient("127.0.0.12", `ws://${gatewayAddress}:${stack.gatewayPorts.ws}`);
  closers.push(() => anonymous.close());
  for (const request of forgedRequests(anonymous, "WS", stack.gatewayPorts.ws!)) anonymous.send(request);
  await assertNothingRelayed("WS");
});

test("an anonymous caller with a real call cannot send an in-dialog request of that call to a foreign host", { timeout: 120_000 }, async () => {
  foreignGot.length = 0;
  const caller: Browser = await startBrowser(`ws://${gatewayAddress}:${stack.gatewayPorts.ws}`, "anonymous", e2eDomain, "x", { localAddress: "127.0.0.13" });
  closers.push(() => caller.stop());
  const session = await caller.call(`sip:music@${e2eDomain}`);
  const answer = caller.received.find((message) => /^SIP\/2\.0 200 /.test(message) && /CSeq: \d+ INVITE/.test(message)) ?? "";
  const recordRoutes = [...answer.matchAll(/^Record-Route: (.*)$/gim)].map((match) => match[1]!.trim());
  assert.ok(recordRoutes.length > 0, `the answer carries the gateway's Record-Route:\n${answer}`);
  const callId = /^Call-ID: (.*)$/im.exec(answer)![1]!.trim();
  const fromTag = /^From: .*;tag=([^;\s]+)/im.exec(answer)![1]!;
  const toTag = /^To: .*;tag=([^;\s]+)/im.exec(answer)![1]!;
  const forger = await openSipWsClient("127.0.0.13", `ws://${gatewayAddress}:${stack.gatewayPorts.ws}`);
  closers.push(() => forger.close());
  for (const method of ["MESSAGE", "OPTIONS", "INFO"]) {
    const request = buildSipRequest({
      method,
      uri: `sip:victim@${foreignAddress}:${foreignPort}`,
      from: forger,
      transport: "WS",
      toTag,
      headers: [`Route: ${recordRoutes.join(", ")}`],
    })
      .replace(/^Call-ID: .*$/m, `Call-ID: ${callId}`)
      .replace(/^From: (.*);tag=\S+$/m, `From: $1;tag=${fromTag}`)
      .replace(/^CSeq: 1 /m, "CSeq: 50 ");
    forger.send(request);
  }
  await sleep(1500);
  assert.deepEqual(foreignGot, [], "the gateway relayed an in-dialog request of a real call to the foreign host");
  session.terminate();
});
