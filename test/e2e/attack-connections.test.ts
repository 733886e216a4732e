// Attack: idle connections. One address opens 200 TCP connections to the SIP port and sends nothing; the
// gateway closes each after TCP_IDLE_SECONDS (3 here) while a connection that sent a valid SIP request
// stays open, and legitimate calls work during and after. (The per-address cap in nftables is tested in
// test/gateway/nftables-packets.test.ts; the agent's WebSocket caps in its own tests.)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { gatewayAddress, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { startLegitimateCalls, type LegitimateCalls } from "../harness/legitimate-calls.ts";
import { openSipTcpClient } from "../harness/sip-stream.ts";
import { buildSipRequest } from "../harness/sip-udp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const idleSeconds = 3;
let stack: GatewayStack;
let legitimate: LegitimateCalls;
const sockets: Socket[] = [];
before(
  async () => {
    stack = await startGatewayStack(buildE2eRecipe(), { logLevel: 1, gatewayDefines: { TCP_IDLE_SECONDS: idleSeconds } });
    legitimate = await startLegitimateCalls(stack, "alice", e2eDomain);
  },
  { timeout: 60_000 },
);
after(async () => {
  for (const socket of sockets) socket.destroy();
  await legitimate?.stop();
  await stack?.stop();
});

function openIdle(address: string, port: number): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: gatewayAddress, port, localAddress: address });
    sockets.push(socket);
    socket.once("error", reject);
    socket.once("connect", () => {
      const opened = Date.now();
      socket.on("error", () => {});
      resolve({ socket, closed: new Promise((done) => socket.once("close", () => done(Date.now() - opened))) });
    });
  });
}

test(
  `200 idle TCP connections from one address are closed after ${idleSeconds} s; a connection that sent a valid request stays`,
  { timeout: 120_000 },
  async () => {
    const port = stack.gatewayPorts.sip[0]!;
    const idle = await Promise.all(Array.from({ length: 200 }, () => openIdle("127.0.0.40", port)));
    const talker = await openSipTcpClient("127.0.0.41", gatewayAddress, port);
    talker.send(buildSipRequest({ method: "OPTIONS", uri: `sip:${gatewayAddress}:${port}`, from: talker, transport: "TCP", userAgent: "Linphone/5.0" }));
    assert.ok(await talker.waitFor(/^SIP\/2\.0 200/), "the talking connection gets its 200");
    await legitimate.check("with 200 idle connections open");
    const lifetimes = await Promise.race([Promise.all(idle.map((c) => c.closed)), sleep(idleSeconds * 1000 + 30_000).then(() => undefined)]);
    assert.ok(lifetimes, "every idle connection was closed by the gateway");
    assert.ok(Math.max(...lifetimes) < (idleSeconds + 20) * 1000, `idle connections lived up to ${Math.max(...lifetimes)} ms`);
    talker.send(buildSipRequest({ method: "OPTIONS", uri: `sip:${gatewayAddress}:${port}`, from: talker, transport: "TCP", userAgent: "Linphone/5.0" }));
    assert.equal(talker.received.filter((text) => text.startsWith("SIP/2.0 200")).length >= 1, true);
    await sleep(500);
    assert.ok(
      talker.received.filter((text) => /^SIP\/2\.0 200/m.test(text)).length >= 2,
      "the connection that sent a valid request is still open and answered",
    );
    talker.close();
    await legitimate.check("after the idle connections were closed");
  },
);
