// The calls an attack must not break: a registered browser calls a PBX phone, a PBX phone calls that
// browser, and the browser dials `music` on the real media service; audio must flow in each. Attack tests
// run these during and after the attack.
import assert from "node:assert/strict";
import { startMediaService, type RunningMediaService } from "../../gateway/media/server.ts";
import { defaultMediaSettings } from "../../gateway/media/settings.ts";
import { connectionOf, startBrowser, type Browser, type LoopbackBrowserOptions } from "./browser.ts";
import { findFreePorts } from "./free-ports.ts";
import { pbxAddress, pbxPassword, type GatewayStack } from "./gateway-stack.ts";
import { startRtpEcho, type RtpEcho } from "../../image/smoke/rtp-echo.ts";
import { sippScenario, startSipp } from "./sipp.ts";
import { sleep } from "./start-process.ts";

/** A registered browser, the real media service and a PBX-side echo, ready to place the three calls. */
export interface LegitimateCalls {
  browser: Browser;
  /** The running media service (music, conference) on the stack's media port. */
  media(): RunningMediaService;
  /** Stops the media service (it hangs up every call it holds) and starts a fresh one on the same port. */
  restartMedia(): Promise<void>;
  /** Places the three calls one after the other and asserts each connects and carries audio. */
  check(label: string): Promise<void>;
  stop(): Promise<void>;
}

/** The legitimate browser's own address, as the agent's X-Forwarded-For reports it. */
export const legitimateBrowserAddress = "127.0.0.20";

// Starts the media service on the stack's media port, an RTP echo for the PBX phones and a browser `user`
// registered through the loopback WS listener as the agent would proxy it (X-Forwarded-For
// `legitimateBrowserAddress`, or `options.browser`).
export async function startLegitimateCalls(
  stack: GatewayStack,
  user: string,
  domain: string,
  options: { browser?: LoopbackBrowserOptions; mediaRtpTimeoutMs?: number } = {},
): Promise<LegitimateCalls> {
  const settings = { ...defaultMediaSettings, port: stack.mediaPort, rtpTimeoutMs: options.mediaRtpTimeoutMs ?? defaultMediaSettings.rtpTimeoutMs };
  const startMedia = () => startMediaService(settings, { log: () => {} });
  let service: RunningMediaService = await startMedia();
  const echo: RtpEcho = await startRtpEcho(pbxAddress);
  const url = `ws://127.0.0.1:${stack.gatewayPorts.loopback}`;
  const browser = await startBrowser(url, user, domain, pbxPassword, options.browser ?? { forwardedFor: legitimateBrowserAddress });
  assert.equal(await browser.register(), 200, `${user} could not register`);
  let calls = 0;
  const check = async (label: string) => {
    calls++;
    await callPbx(stack, browser, echo, domain, `${label}: browser → PBX`, `phone-${calls}`);
    await callBrowser(stack, browser, echo, user, domain, `${label}: PBX → browser`, `caller-${calls}`);
    await callMusic(browser, domain, `${label}: music`);
  };
  return {
    browser,
    media: () => service,
    restartMedia: async () => {
      await service.stop();
      service = await startMedia();
    },
    check,
    stop: async () => {
      browser.stop();
      await service.stop();
      await echo.close();
    },
  };
}

async function callPbx(stack: GatewayStack, browser: Browser, echo: RtpEcho, domain: string, label: string, name: string): Promise<void> {
  const phone = await startSipp({
    name,
    workDir: stack.workDir,
    scenario: sippScenario("uas-answer.xml"),
    localAddress: pbxAddress,
    localPort: stack.phonePort,
    rtp: { address: pbxAddress, port: echo.port },
    timeoutSeconds: 20,
  });
  const session = await browser.call(`sip:bob@${domain}`).catch((error: Error) => assert.fail(`${label}: ${error.message}`));
  const before = echo.received;
  const pc = connectionOf(session);
  await pc.sendAudio(25);
  await sleep(300);
  assert.ok(echo.received - before >= 20, `${label}: the PBX phone got ${echo.received - before} of 25 packets`);
  assert.ok(pc.received.audio >= 15, `${label}: the browser got ${pc.received.audio} of 25 packets back`);
  session.terminate();
  assert.equal(await phone.process.exited, 0, `${label}: the sipp phone failed:\n${phone.messages().slice(-2000)}`);
}

async function callBrowser(stack: GatewayStack, browser: Browser, echo: RtpEcho, user: string, domain: string, label: string, name: string): Promise<void> {
  const [port] = await findFreePorts(1);
  const answered = browser.answerNext();
  const caller = await startSipp({
    name,
    workDir: stack.workDir,
    scenario: sippScenario("uac-call.xml"),
    remote: `${pbxAddress}:${stack.pbxPort}`,
    localAddress: pbxAddress,
    localPort: port!,
    rtp: { address: pbxAddress, port: echo.port },
    extraArgs: ["-s", user, "-d", "2500"],
    keys: { domain },
    timeoutSeconds: 20,
  });
  const session = await Promise.race([
    answered,
    caller.process.exited.then((code) => assert.fail(`${label}: the call never reached the browser (sipp exited ${code}):\n${caller.messages().slice(-2000)}`)),
  ]);
  const pc = connectionOf(session);
  const before = echo.received;
  await pc.sendAudio(25);
  await sleep(300);
  assert.ok(echo.received - before >= 20, `${label}: the PBX phone got ${echo.received - before} of 25 packets`);
  assert.equal(await caller.process.exited, 0, `${label}: the sipp caller failed:\n${caller.messages().slice(-2000)}`);
}

async function callMusic(browser: Browser, domain: string, label: string): Promise<void> {
  const session = await browser.call(`sip:music@${domain}`).catch((error: Error) => assert.fail(`${label}: ${error.message}`));
  const pc = connectionOf(session);
  await pc.waitConnected("audio", 10_000).catch((error: Error) => assert.fail(`${label}: ${error.message}`));
  // 50 packets a second are sent; on a busy machine the stand-in browser reads fewer, but music must be heard.
  const before = pc.received.audio;
  await sleep(1500);
  assert.ok(pc.received.audio - before >= 15, `${label}: the browser heard ${pc.received.audio - before} music packets in 1.5 s`);
  session.terminate();
}
