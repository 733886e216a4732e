// Attack: a WebSocket connection flood. 15 addresses behind the agent open 20 WebSockets each (300, the
// agent's per-address cap) against a gateway sized for a 256 MiB instance (64 MiB of shared memory, 170
// connections): Kamailio's connection limit binds before its shared memory runs out, so the registered
// browser's calls keep working during the flood, and new browsers register again once it ends.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sizeGatewayLimits } from "../../gateway/kamailio/size-gateway-limits.ts";
import { startBrowser } from "../harness/browser.ts";
import { callGatewayRpc } from "../harness/gateway-rpc.ts";
import { gatewayAddress, pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { startLegitimateCalls, type LegitimateCalls } from "../harness/legitimate-calls.ts";
import { openSipWsClient, type SipStreamClient } from "../harness/sip-stream.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

const sizing = sizeGatewayLimits({ memoryMiB: 256, cores: 2 });
let stack: GatewayStack;
let legitimate: LegitimateCalls;
const flood: SipStreamClient[] = [];
before(
  async () => {
    stack = await startGatewayStack(buildE2eRecipe(), {
      logLevel: 1,
      sharedMemoryMb: sizing.kamailioSharedMiB,
      gatewayDefines: { TCP_MAX_CONNECTIONS: sizing.tcpMaxConnections },
    });
    legitimate = await startLegitimateCalls(stack, "alice", e2eDomain);
  },
  { timeout: 60_000 },
);
after(async () => {
  for (const client of flood) client.close();
  await legitimate?.stop();
  await stack?.stop();
});

test(
  `300 WebSockets from 15 addresses against ${sizing.tcpMaxConnections} connections in ${sizing.kamailioSharedMiB} MiB: the limit binds before memory, calls keep working`,
  { timeout: 180_000 },
  async () => {
    let refused = 0;
    for (let address = 1; address <= 15; address++) {
      for (let i = 0; i < 20; i++) {
        const client = await openSipWsClient("127.0.0.1", `ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`, {
          "X-Forwarded-For": `10.9.0.${address}`,
        }).catch(() => undefined);
        if (client) flood.push(client);
        else refused++;
      }
    }
    assert.ok(flood.length <= sizing.tcpMaxConnections, `${flood.length} WebSockets open, limit ${sizing.tcpMaxConnections}`);
    assert.ok(refused > 0, "connections beyond the limit are refused");
    await legitimate.check("with Kamailio's connection table full");
    assert.doesNotMatch(readFileSync(stack.gateway.logPath, "utf8"), /no more (shm|pkg) memory|could not allocate/i);
    // The RPC is an HTTP connection of its own (on the appliance the agent keeps 64 connections free for it
    // and upstreams): free a few of the flood's to read the shared memory the rest still holds.
    for (const client of flood.splice(0, 10)) client.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const memory = (await callGatewayRpc(stack, "core.shmmem")) as { free: number; total: number };
    assert.ok(memory.free > memory.total * 0.1, `shared memory left with ${flood.length} WebSockets open: ${memory.free} of ${memory.total} bytes`);

    for (const client of flood.splice(0)) client.close();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const newcomer = await startBrowser(`ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`, "bob", e2eDomain, pbxPassword, { forwardedFor: "127.0.0.50" });
    assert.equal(await newcomer.register(), 200, "a new browser registers once the flood has ended");
    newcomer.stop();
    await legitimate.check("after the WebSocket flood");
  },
);
