// The test gateway's JSONRPC (Kamailio's /RPC on its loopback listener), through the agent's own client.
import { callKamailioRpc, listActiveCalls } from "../../gateway/agent/control/query-kamailio.ts";
import type { GatewayStack } from "./gateway-stack.ts";

// Calls one RPC method on the stack's gateway and returns its result.
export function callGatewayRpc(stack: GatewayStack, method: string, params: unknown[] = []): Promise<unknown> {
  return callKamailioRpc({ url: `http://127.0.0.1:${stack.gatewayPorts.loopback}/RPC`, timeoutMs: 5000 }, method, params);
}

// Dialog state 5 is "deleted": the call has ended and Kamailio keeps it only until its BYE transaction is freed.
const endedState = 5;

// The number of calls (dialogs not yet ended) the gateway holds now.
export async function countGatewayCalls(stack: GatewayStack): Promise<number> {
  const calls = await listActiveCalls({ url: `http://127.0.0.1:${stack.gatewayPorts.loopback}/RPC`, timeoutMs: 5000 });
  return calls.filter((call) => call.state < endedState).length;
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
