// Scenario 3: a phone behind the PBX calls a registered browser. The PBX finds the browser through the
// gateway's Path, the gateway delivers the call over WebSocket with a WebRTC offer, the browser
// answers and audio flows both ways.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connectionOf, startBrowser, type Browser } from "../harness/browser.ts";
import { pbxAddress, pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { startRtpEcho } from "../harness/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

let stack: GatewayStack;
let browser: Browser;
before(async () => {
  stack = await startGatewayStack(buildE2eRecipe());
  browser = await startBrowser(`ws://127.0.0.1:${stack.gatewayPorts.ws}`, "carol", e2eDomain, pbxPassword);
  assert.equal(await browser.register(), 200);
}, { timeout: 60_000 });
after(async () => {
  browser?.stop();
  await stack?.stop();
});

test("PBX → browser through the Path: the browser gets a WebRTC offer, answers, audio flows both ways", { timeout: 120_000 }, async () => {
  const echo = await startRtpEcho(pbxAddress);
  const [phonePort] = await findFreePorts(1);
  const answered = browser.answerNext();
  const phone = startSipp({
    name: "caller", workDir: stack.workDir, scenario: sippScenario("uac-call.xml"), remote: `${pbxAddress}:${stack.pbxPort}`,
    localAddress: pbxAddress, localPort: phonePort!, rtp: { address: pbxAddress, port: echo.port },
    extraArgs: ["-s", "carol", "-d", "4000"], keys: { domain: e2eDomain },
  });
  const session = await answered;
  const pc = connectionOf(session);
  const offer = browser.received.find((message) => message.startsWith("INVITE ")) ?? "";
  assert.match(offer, /m=audio \d+ UDP\/TLS\/RTP\/SAVPF/);
  assert.match(offer, /a=ice-ufrag:/);
  assert.match(offer, /a=fingerprint:/);
  assert.match(offer, /a=rtcp-mux/);

  await pc.sendAudio(50);
  await sleep(500);
  assert.ok(echo.received >= 45, `the PBX side got ${echo.received} of 50 packets`);
  assert.ok(pc.received.audio >= 45, `the browser got ${pc.received.audio} of 50 echoed packets back`);
  assert.equal(await phone.process.exited, 0, `the sipp caller failed:\n${phone.messages().slice(-3000)}`);
  await echo.close();
});
