// RFC 4475-style requests that are valid or that need a specific answer: Proxy-Require gets 420, an unknown
// Request-URI scheme 416, an unknown method and an escaped URI get an answer (not silence).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gatewayAddress, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { buildSipRequest, openSipUdpClient, statusOf, type SipUdpClient } from "../harness/sip-udp.ts";
import { buildE2eRecipe } from "./e2e-recipe.ts";

let stack: GatewayStack;
let client: SipUdpClient;
before(
  async () => {
    stack = await startGatewayStack(buildE2eRecipe(), { logLevel: 1 });
    client = await openSipUdpClient("127.0.0.60", gatewayAddress, stack.gatewayPorts.sip[0]!);
  },
  { timeout: 60_000 },
);
after(async () => {
  await client?.close();
  await stack?.stop();
});

function request(method: string, uri = `sip:${gatewayAddress}:${stack.gatewayPorts.sip[0]}`): string {
  return buildSipRequest({ method, uri, from: client, userAgent: "Linphone/5.0" });
}

test("Proxy-Require gets 420, an unknown URI scheme 416; an unknown method and an escaped user part are answered", { timeout: 60_000 }, async () => {
  assert.equal(statusOf(await client.request(request("OPTIONS").replace("Max-Forwards: 70", "Max-Forwards: 70\r\nProxy-Require: foo"))), 420);
  assert.equal(statusOf(await client.request(request("OPTIONS", "nope:foo@example.com"))), 416);
  assert.equal(statusOf(await client.request(request("NEWMETHOD"))), 403);
  assert.equal(statusOf(await client.request(request("OPTIONS", `sip:%61lice@${gatewayAddress}:${stack.gatewayPorts.sip[0]}`))), 403);
  assert.equal(statusOf(await client.request(request("OPTIONS"))), 200);
});
