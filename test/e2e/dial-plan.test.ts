// Scenario 6: the ordered dial plan. `*` + 8 digits from two browsers reaches the conference service
// for the same room (the room number as R-URI user), `music` reaches the music service, any other
// number goes to the PBX. sipp UAS stand-ins play the conference/music service and the PBX phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { gatewayAddress, pbxAddress, pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { startRtpEcho, type RtpEcho } from "../harness/rtp-echo.ts";
import { sippScenario, startSipp, type RunningSipp } from "../harness/sipp.ts";
import { sleep } from "../harness/start-process.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

let stack: GatewayStack;
const browsers: Browser[] = [];
let echo: RtpEcho;
before(async () => {
  stack = await startGatewayStack(buildE2eRecipe());
  for (const user of ["frank", "grace"]) {
    const browser = await startBrowser(`ws://127.0.0.1:${stack.gatewayPorts.loopback}`, user, e2eDomain, pbxPassword);
    browsers.push(browser);
    assert.equal(await browser.register(), 200);
  }
  echo = await startRtpEcho(pbxAddress);
}, { timeout: 60_000 });
after(async () => {
  for (const browser of browsers) browser.stop();
  await echo?.close();
  await stack?.stop();
});

function invitedUris(sipp: RunningSipp): string[] {
  return [...sipp.messages().matchAll(/^INVITE (\S+) SIP\/2\.0/gm)].map((match) => match[1]!);
}

test("*12345678 from two browsers → conference room 12345678, music → music service, other numbers → PBX", { timeout: 120_000 }, async () => {
  const media = startSipp({
    name: "media-service", workDir: stack.workDir, scenario: sippScenario("uas-answer.xml"), calls: 3,
    localAddress: gatewayAddress, localPort: stack.mediaPort, rtp: { address: pbxAddress, port: echo.port },
  });
  const phone = startSipp({
    name: "phone", workDir: stack.workDir, scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress, localPort: stack.phonePort, rtp: { address: pbxAddress, port: echo.port },
  });
  await sleep(300);
  const [frank, grace] = browsers as [Browser, Browser];
  const sessions = [
    await frank.call(`sip:*12345678@${e2eDomain}`),
    await grace.call(`sip:*12345678@${e2eDomain}`),
    await frank.call(`sip:music@${e2eDomain}`),
    await grace.call(`sip:5551234@${e2eDomain}`),
  ];
  const room = `sip:12345678@${gatewayAddress}:${stack.mediaPort}`;
  assert.deepEqual(invitedUris(media), [room, room, `sip:music@${gatewayAddress}:${stack.mediaPort}`]);
  assert.deepEqual(invitedUris(phone), [`sip:5551234@${e2eDomain}`]);
  assert.match(media.messages(), /^m=audio \d+ RTP\/AVP/m, "the media service gets plain RTP");
  for (const session of sessions) session.terminate();
  assert.equal(await media.process.exited, 0, media.messages().slice(-2000));
  assert.equal(await phone.process.exited, 0);
});
