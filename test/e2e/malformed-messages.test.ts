// Scenario 7 (torture): 10,000 malformed messages (truncated, oversized headers, wrong
// Content-Length, binary garbage, RFC 4475-style cases) leave the gateway answering OPTIONS, and its
// log grows by a bounded amount per message (parse failures are logged at info, hidden by default).
import { test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { gatewayAddress } from "../harness/gateway-stack.ts";
import { buildMalformedMessages } from "../harness/malformed-sip.ts";
import { buildSipRequest, openSipUdpClient, statusOf } from "../harness/sip-udp.ts";
import { sleep } from "../harness/start-process.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { buildE2eRecipe } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

// A flood ban would stop the torture after 30 messages: this test is about the parser.
const gw = useGatewayStack({ recipe: buildE2eRecipe((r) => (r.gateway.security.flood = { requests: 100000, window: "1s", ban: "1s" })), logLevel: 1 });

test("10,000 malformed messages: Kamailio keeps answering OPTIONS and its log stays bounded", { timeout: 120_000 }, async () => {
  const port = gw.stack.gatewayPorts.sip[0]!;
  const attacker = await openSipUdpClient("127.0.0.9", gatewayAddress, port);
  const checker = await openSipUdpClient("127.0.0.10", gatewayAddress, port);
  const ping = () => checker.request(buildSipRequest({ method: "OPTIONS", uri: `sip:${gatewayAddress}:${port}`, from: checker, userAgent: "Linphone/5.0" }));
  assert.equal(statusOf(await ping()), 200);
  const logBefore = statSync(gw.stack.gateway.logPath).size;

  const messages = buildMalformedMessages(10_000, `sip:bob@${gatewayAddress}:${port}`, attacker);
  for (let i = 0; i < messages.length; i++) {
    await attacker.send(messages[i]!);
    if (i % 100 === 99) await sleep(5);
  }
  // The flood sits in the socket queue ahead of the check: Kamailio must get through it and answer.
  await settleWithin(10_000, async () => statusOf(await ping()) === 200);

  assert.ok(gw.stack.gateway.isAlive(), "Kamailio died");
  assert.equal(statusOf(await ping()), 200, "Kamailio stopped answering OPTIONS");
  const grown = statSync(gw.stack.gateway.logPath).size - logBefore;
  // Parser errors (LM_ERR in the core) still log ~120 bytes each; on the appliance journald rate-limits them.
  assert.ok(grown < messages.length * 200, `the log grew by ${grown} bytes for ${messages.length} messages`);
  await attacker.close();
  await checker.close();
});
