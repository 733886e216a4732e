import { startBrowser } from "../harness/browser.ts";
import { startGatewayStack, pbxPassword, pbxAddress } from "../harness/gateway-stack.ts";
import { startRtpEcho } from "../harness/rtp-echo.ts";
import { sippScenario, startSipp } from "../harness/sipp.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";
const stack = await startGatewayStack(buildE2eRecipe());
try {
  const b = await startBrowser(`wss://127.0.0.1:${stack.gatewayPorts.wss}`, "alice", e2eDomain, pbxPassword);
  console.log("reg", await b.register());
  const echo = await startRtpEcho(pbxAddress);
  const phone = startSipp({ name: "phone", workDir: stack.workDir, scenario: sippScenario("uas-answer-video-rejected.xml"), localAddress: pbxAddress, localPort: stack.phonePort, rtp: { address: pbxAddress, port: echo.port } });
  await new Promise(r => setTimeout(r, 300));
  const sess = await b.call(`sip:bob@${e2eDomain}`, { video: true });
  const pc = sess.connection;
  pc.onTrack.subscribe((t: any) => console.log("track event", t.kind));
  console.log("transceivers", pc.getTransceivers().map((t: any) => [t.kind, t.mid, t.direction, t.currentDirection, !!t.receiver.track]));
  let direct = 0; pc.getTransceivers()[0].receiver.track.onReceiveRtp.subscribe(() => direct++);
  const tr = pc.getTransceivers()[0]; const dt = tr.dtlsTransport; console.log("dtls", dt?.state, dt?.srtp ? "srtp" : "no srtp");
  await pc.sendAudio(20); await new Promise(r => setTimeout(r, 500));
  console.log("direct", direct, "received", pc.received, "echo", echo.received);
  const cid = sess._request.call_id;
  console.log((await stack.rtpengine.command(`d7:command5:query7:call-id${cid.length}:${cid}e`)).slice(0, 1500));
  b.stop(); await phone.process.stop(); await echo.close();
} finally { await stack.stop(); }
