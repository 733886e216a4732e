// Benchmark (not a test): Kamailio shared memory per WebSocket connection through the compiled gateway's
// loopback listener (as the agent proxies them), idle and after a REGISTER-sized SIP request each. The figure
// sizes Kamailio's connection limit against its shared memory (gateway/kamailio/size-gateway-limits.ts).
// Run: `npx tsx bench/gateway-ws-memory.ts` (--connections=N, default 400).
import { loadavg } from "node:os";
import { buildE2eRecipe, e2eDomain } from "../test/e2e/e2e-recipe.ts";
import { callGatewayRpc } from "../test/harness/gateway-rpc.ts";
import { startGatewayStack } from "../test/harness/gateway-stack.ts";
import { openSipWsClient, type SipStreamClient } from "../test/harness/sip-stream.ts";
import { buildSipRequest } from "../test/harness/sip-udp.ts";

const count = Number(process.argv.find((a) => a.startsWith("--connections="))?.split("=")[1] ?? "400");
const recipe = buildE2eRecipe((r) => (r.gateway.security.flood = { requests: 100000, window: "1s", ban: "1s" }));
const stack = await startGatewayStack(recipe, { logLevel: 0, sharedMemoryMb: 256 });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void stack.stop().finally(() => process.exit(130)));
const used = async () => Number(((await callGatewayRpc(stack, "core.shmmem")) as { real_used: number }).real_used);
const clients: SipStreamClient[] = [];
try {
  const before = await used();
  for (let i = 0; i < count; i++) {
    clients.push(
      await openSipWsClient("127.0.0.1", `ws://127.0.0.1:${stack.gatewayPorts.loopback}`, { "X-Forwarded-For": `10.1.${Math.floor(i / 250)}.${i % 250}` }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = await used();
  for (const client of clients) client.send(buildSipRequest({ method: "OPTIONS", uri: `sip:${e2eDomain}`, from: client, transport: "WS", userAgent: "bench" }));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const active = await used();
  const kib = (bytes: number) => (bytes / 1024 / count).toFixed(1);
  console.log(
    `${count} WebSocket connections: ${kib(idle - before)} KiB of shared memory each after the handshake, ${kib(active - before)} KiB after one SIP request (load ${loadavg()[0]!.toFixed(2)})`,
  );
} finally {
  for (const client of clients) client.close();
  await stack.stop();
}
