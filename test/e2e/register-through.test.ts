// Scenario 1: browsers register through the gateway to the PBX over WS (Kamailio's public WS listener)
// and over WSS (the appliance's port 443: the bundled agent terminates TLS and proxies the WebSocket to
// Kamailio's loopback listener); the PBX challenges (qop=auth), the browser authenticates, and the PBX's
// location holds the gateway's Path. The loopback listener also serves Prometheus metrics at /metrics,
// to local requests only.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startAgentProxy, type AgentProxy } from "../harness/agent-proxy.ts";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { pbxPassword } from "../harness/gateway-stack.ts";
import { e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const gw = useGatewayStack();
let agent: AgentProxy;
const browsers: Browser[] = [];
before(async () => {
  const stack = await gw.started();
  agent = await startAgentProxy(stack.recipe, stack.gatewayPorts.loopback);
});
after(async () => {
  for (const browser of browsers) browser.stop();
  await agent?.stop();
});

for (const transport of ["ws", "wss"] as const) {
  test(`register-through over ${transport.toUpperCase()}: challenged, authenticated, 200 OK, Path stored at the PBX`, { timeout: 120_000 }, async () => {
    const url = transport === "ws" ? `ws://127.0.0.1:${gw.stack.gatewayPorts.ws}` : `wss://127.0.0.1:${agent.port}/`;
    const user = `alice-${transport}`;
    const browser = await startBrowser(url, user, e2eDomain, pbxPassword);
    browsers.push(browser);
    const status = await browser.register();
    assert.equal(status, 200);
    const challenge = browser.received.find((message) => message.startsWith("SIP/2.0 401"));
    assert.ok(challenge, `the PBX did not challenge; the browser received:\n${browser.received.join("\n")}`);
    assert.match(challenge, /^WWW-Authenticate: Digest .*qop="auth"/m);
    assert.ok(browser.received.some((message) => message.startsWith("SIP/2.0 200")));
    const location = gw.stack.pbxRpc("ul.lookup", "location", `${user}@${e2eDomain}`);
    assert.match(location, /Path: <sip:127\.0\.0\.1:\d+;lr;received=sip:127\.0\.0\.1:\d+%3Btransport%3Dws/i, location);
  });
}

test("the loopback listener serves Prometheus metrics at /metrics to local requests, counting the registrations", { timeout: 30_000 }, async () => {
  const response = await fetch(`http://127.0.0.1:${gw.stack.gatewayPorts.loopback}/metrics`);
  assert.equal(response.status, 200);
  const body = await response.text();
  const received = /^kamailio_core_rcv_requests_register (\d+)/m.exec(body);
  assert.ok(received, `no REGISTER counter in:\n${body.slice(0, 1500)}`);
  assert.ok(Number(received[1]) >= 4, `REGISTER counter is ${received[1]}`);
});

test("/metrics and /RPC are not served on the public WS listener, nor to requests the agent proxied", { timeout: 30_000 }, async () => {
  assert.equal((await fetch(`http://127.0.0.1:${gw.stack.gatewayPorts.ws}/metrics`)).status, 404);
  assert.equal(
    (await fetch(`http://127.0.0.1:${gw.stack.gatewayPorts.ws}/RPC`, { method: "POST", body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}' })).status,
    404,
  );
  const proxied = { "X-Forwarded-For": "198.51.100.7" };
  assert.equal((await fetch(`http://127.0.0.1:${gw.stack.gatewayPorts.loopback}/metrics`, { headers: proxied })).status, 404);
  const rpc = await fetch(`http://127.0.0.1:${gw.stack.gatewayPorts.loopback}/RPC`, {
    method: "POST",
    headers: proxied,
    body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}',
  });
  assert.equal(rpc.status, 404);
  const local = await fetch(`http://127.0.0.1:${gw.stack.gatewayPorts.loopback}/RPC`, {
    method: "POST",
    body: '{"jsonrpc":"2.0","method":"core.uptime","id":1}',
  });
  assert.equal(local.status, 200);
  assert.match(await local.text(), /uptime/);
});
