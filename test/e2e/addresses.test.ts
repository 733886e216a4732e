// On the appliance the recipe binds 0.0.0.0 and first boot writes the instance's addresses to
// kamailio-runtime.cfg. The gateway must bind and advertise those (never 0.0.0.0 in a header), count them
// as itself, and the PBX must get a routable Path, so that its calls reach the gw.browser(). Here the runtime
// file names 127.0.0.1 and nothing binds the gateway to it on the command line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderKamailioDefines } from "../../gateway/agent/firstboot/render-runtime-settings.ts";
import { connectionOf } from "../harness/browser.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { gatewayAddress, pbxAddress } from "../harness/gateway-stack.ts";
import { startRtpEcho } from "../../image/smoke/rtp-echo.ts";
import { buildSipRequest, openSipUdpClient, statusOf } from "../harness/sip-udp.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { settleWithin } from "../harness/wait-until.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";
import { useGatewayStack } from "./use-gateway-stack.ts";

const runtimeFile = renderKamailioDefines({
  identity: { instanceId: "i-0123456789abcdef0", region: "us-east-1", localIpv4: gatewayAddress, publicIpv4: gatewayAddress },
  limits: { mode: "demo", maxCallSeconds: 90, maxParallelCalls: 250, summary: "" },
  advertise: undefined,
});

const recipe = buildE2eRecipe();
assert.equal(recipe.gateway.listen.address, "0.0.0.0");
const gw = useGatewayStack({ recipe, runtimeFile, bindFromRuntimeFile: true, browsers: ["heidi"] });

test("OPTIONS to the gateway's own address gets 200 on every SIP port", { timeout: 30_000 }, async () => {
  const client = await openSipUdpClient("127.0.0.7", gatewayAddress, gw.stack.gatewayPorts.sip[0]!);
  try {
    for (const port of gw.stack.gatewayPorts.sip) {
      const uri = `sip:${gatewayAddress}:${port}`;
      const options = buildSipRequest({ method: "OPTIONS", uri, from: client, userAgent: "Linphone/5.0" });
      assert.equal(statusOf(await client.request(options)), 200, uri);
    }
  } finally {
    await client.close();
  }
});

test("the PBX stores a routable Path (the runtime file's address, not 0.0.0.0) and its call reaches the browser", { timeout: 120_000 }, async (t) => {
  const location = gw.stack.pbxRpc("ul.lookup", "location", `heidi@${e2eDomain}`);
  const path = /Path: <sip:127\.0\.0\.1:(\d+);lr;received=sip:127\.0\.0\.1:\d+%3Btransport%3Dws/i.exec(location);
  assert.ok(path, location);
  assert.ok(gw.stack.gatewayPorts.sip.includes(Number(path[1])), `the Path names port ${path[1]}, not one of the gateway's SIP ports`);
  assert.doesNotMatch(location, /0\.0\.0\.0/);

  const echo = await startRtpEcho(pbxAddress);
  t.after(() => echo.close());
  const [phonePort] = await findFreePorts(1);
  const answered = gw.browser().answerNext();
  const phone = await startSipp({
    name: "caller",
    workDir: gw.stack.workDir,
    scenario: sippScenario("uac-call.xml"),
    remote: `${pbxAddress}:${gw.stack.pbxPort}`,
    localAddress: pbxAddress,
    localPort: phonePort!,
    rtp: { address: pbxAddress, port: echo.port },
    extraArgs: ["-s", "heidi", "-d", "3000"],
    keys: { domain: e2eDomain },
  });
  const session = await answered;
  const invite = gw.browser().received.find((message) => message.startsWith("INVITE ")) ?? "";
  assert.doesNotMatch(invite, /0\.0\.0\.0/, invite);
  await connectionOf(session).sendAudio(25);
  await settleWithin(3000, () => echo.received >= 20);
  assert.ok(echo.received >= 20, `the PBX side got ${echo.received} of 25 packets`);
  assert.equal(await phone.process.exited, 0, `the sipp caller failed:\n${phone.messages().slice(-3000)}`);
});
