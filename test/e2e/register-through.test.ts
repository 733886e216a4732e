// Scenario 1: browsers register through the gateway to the PBX over WS and over WSS; the PBX
// challenges (qop=auth), the browser authenticates, and the PBX's location holds the gateway's Path.
// The same listener serves Prometheus metrics at /metrics.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

let stack: GatewayStack;
const browsers: Browser[] = [];
before(async () => {
  stack = await startGatewayStack(buildE2eRecipe());
}, { timeout: 60_000 });
after(async () => {
  for (const browser of browsers) browser.stop();
  await stack?.stop();
});

for (const transport of ["ws", "wss"] as const) {
  test(`register-through over ${transport.toUpperCase()}: challenged, authenticated, 200 OK, Path stored at the PBX`, { timeout: 120_000 }, async () => {
    const port = transport === "ws" ? stack.gatewayPorts.ws : stack.gatewayPorts.wss;
    const user = `alice-${transport}`;
    const browser = await startBrowser(`${transport}://127.0.0.1:${port}`, user, e2eDomain, pbxPassword);
    browsers.push(browser);
    const status = await browser.register();
    assert.equal(status, 200);
    const challenge = browser.received.find((message) => message.startsWith("SIP/2.0 401"));
    assert.ok(challenge, `the PBX did not challenge; the browser received:\n${browser.received.join("\n")}`);
    assert.match(challenge, /^WWW-Authenticate: Digest .*qop="auth"/m);
    assert.ok(browser.received.some((message) => message.startsWith("SIP/2.0 200")));
    const location = stack.pbxRpc("ul.lookup", "location", `${user}@${e2eDomain}`);
    assert.match(location, /Path: <sip:127\.0\.0\.1:\d+;lr;received=sip:127\.0\.0\.1:\d+%3Btransport%3Dws/i, location);
  });
}

test("the WebSocket listener serves Prometheus metrics at /metrics, counting the registrations", { timeout: 30_000 }, async () => {
  const response = await fetch(`http://127.0.0.1:${stack.gatewayPorts.ws}/metrics`);
  assert.equal(response.status, 200);
  const body = await response.text();
  const received = /^kamailio_core_rcv_requests_register (\d+)/m.exec(body);
  assert.ok(received, `no REGISTER counter in:\n${body.slice(0, 1500)}`);
  assert.ok(Number(received[1]) >= 4, `REGISTER counter is ${received[1]}`);
});
