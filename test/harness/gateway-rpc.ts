// The test gateway's JSONRPC (Kamailio's /RPC on its loopback listener), through the agent's own client.
import { callKamailioRpc, listActiveCalls } from "../../gateway/agent/control/query-kamailio.ts";
import type { GatewayStack } from "./gateway-stack.ts";

// Calls one RPC method on the stack's gateway and returns its result.
export function callGatewayRpc(stack: GatewayStack, method: string, params: unknown[] = []): Promise<unknown> {
  return callKamailioRpc({ url: `http://127.0.0.1:${stack.gatewayPorts.loopback}/RPC`, timeoutMs: 5000 }, method, params);
}

// The number of dialogs (calls) the gateway holds now.
export async function countGatewayCalls(stack: GatewayStack): Promise<number> {
  return (await listActiveCalls({ url: `http://127.0.0.1:${stack.gatewayPorts.loopback}/RPC`, timeoutMs: 5000 })).length;
}

// Polls until the gateway holds `expected` calls (or `timeoutMs` passes) and returns the last count.
export async function waitForGatewayCalls(stack: GatewayStack, expected: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = await countGatewayCalls(stack);
  while (count !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    count = await countGatewayCalls(stack);
  }
  return count;
}
