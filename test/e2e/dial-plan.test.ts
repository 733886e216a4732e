// Scenario 6: the ordered dial plan. `*` + 8 digits from two browsers reaches the conference service
// for the same room (the room number as R-URI user), `music` reaches the music service, any other
// number goes to the PBX. sipp UAS stand-ins play the conference/music service and the PBX phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gatewayAddress, pbxAddress } from "../harness/gateway-stack.ts";
import { startRtpEcho, type RtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp, type RunningSipp } from "../harness/sipp.ts";
import { e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const gw = useGatewayStack({ browsers: ["frank", "grace"] });
let echo: RtpEcho;
before(async () => {
  echo = await startRtpEcho(pbxAddress);
});
after(async () => {
  await echo?.close();
});

function invitedUris(sipp: RunningSipp): string[] {
  return [...sipp.messages().matchAll(/^INVITE (\S+) SIP\/2\.0/gm)].map((match) => match[1]!);
}

test("*12345678 from two browsers → conference room 12345678, music → music service, other numbers → PBX", { timeout: 120_000 }, async () => {
  const media = await startSipp({
    name: "media-service",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    calls: 3,
    localAddress: gatewayAddress,
    localPort: gw.stack.mediaPort,
    rtp: { address: pbxAddress, port: echo.port },
  });
  const phone = await startSipp({
    name: "phone",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress,
    localPort: gw.stack.phonePort,
    rtp: { address: pbxAddress, port: echo.port },
  });
  const [frank, grace] = [gw.browser("frank"), gw.browser("grace")];
  const sessions = [
    await frank.call(`sip:*12345678@${e2eDomain}`),
    await grace.call(`sip:*12345678@${e2eDomain}`),
    await frank.call(`sip:music@${e2eDomain}`),
    await grace.call(`sip:5551234@${e2eDomain}`),
  ];
  const room = `sip:12345678@${gatewayAddress}:${gw.stack.mediaPort}`;
  assert.deepEqual(invitedUris(media), [room, room, `sip:music@${gatewayAddress}:${gw.stack.mediaPort}`]);
  assert.deepEqual(invitedUris(phone), [`sip:5551234@${e2eDomain}`]);
  assert.match(media.messages(), /^m=audio \d+ RTP\/AVP/m, "the media service gets plain RTP");
  for (const session of sessions) session.terminate();
  assert.equal(await media.process.exited, 0, media.messages().slice(-2000));
  assert.equal(await phone.process.exited, 0);
});
