// Attack: password guessing against a user from many addresses (browsers with wrong passwords through the
// agent's WSS proxy, each address its own X-Forwarded-For). The PBX answers every wrong guess with 401; the
// gateway counts failures per address and per user, bans both with a growing back-off, and keeps access for
// addresses that authenticated as that user before. The PBX sees each browser's own address in X-Forwarded-For.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startBrowser, type Browser } from "../harness/browser.ts";
import { gatewayAddress, pbxPassword, startGatewayStack, type GatewayStack } from "../harness/gateway-stack.ts";
import { legitimateBrowserAddress, startLegitimateCalls, type LegitimateCalls } from "../harness/legitimate-calls.ts";
import { buildE2eRecipe, e2eDomain } from "./e2e-recipe.ts";

let stack: GatewayStack;
let legitimate: LegitimateCalls;
const guessers: Browser[] = [];
before(
  async () => {
    stack = await startGatewayStack(buildE2eRecipe(), { logLevel: 1 });
    legitimate = await startLegitimateCalls(stack, "alice", e2eDomain);
  },
  { timeout: 60_000 },
);
after(async () => {
  for (const guesser of guessers) guesser.stop();
  await legitimate?.stop();
  await stack?.stop();
});

// One wrong guess for `user` from `address`: a new browser registering with a wrong password. JsSIP answers
// the 401 challenge once; the final status is what the guesser learns (401: wrong, 403: refused, 0: no answer).
async function guess(user: string, address: string): Promise<number> {
  const browser = await startBrowser(`ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`, user, e2eDomain, `wrong-${address}`, {
    forwardedFor: address,
  }).catch(() => undefined);
  if (!browser) return 0; // the WebSocket handshake was refused
  guessers.push(browser);
  const status = await Promise.race([browser.register(), new Promise<number>((resolve) => setTimeout(() => resolve(0), 3000))]);
  browser.stop();
  return status;
}

function guessesAtPbx(user: string): number {
  return readFileSync(stack.pbx.logPath, "utf8").match(new RegExp(`PBX got credentials for ${user} forwarded for 127\\.0\\.3\\.`, "g"))?.length ?? 0;
}

test("the PBX sees the browser's own address in X-Forwarded-For", { timeout: 60_000 }, async () => {
  assert.match(
    readFileSync(stack.pbx.logPath, "utf8"),
    new RegExp(`PBX got REGISTER for alice forwarded for ${legitimateBrowserAddress.replace(/\./g, "\\.")}`),
  );
});

test(
  "guessing alice's password from 10 addresses: after 5 failures the user is banned, the guesses stop reaching the PBX, alice keeps access",
  { timeout: 120_000 },
  async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 10; i++) statuses.push(await guess("alice", `127.0.3.${i}`));
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], `the first 5 guesses reach the PBX: ${statuses.join(" ")}`);
    assert.deepEqual(statuses.slice(5), [403, 403, 403, 403, 403], `later guesses are refused: ${statuses.join(" ")}`);
    assert.equal(guessesAtPbx("alice"), 5, "only the first 5 guesses reached the PBX");
    // alice authenticated from her address before the ban: a new browser of hers there keeps access.
    const again = await startBrowser(`ws://${gatewayAddress}:${stack.gatewayPorts.loopback}`, "alice", e2eDomain, pbxPassword, {
      forwardedFor: legitimateBrowserAddress,
    });
    guessers.push(again);
    assert.equal(await again.register(), 200, "alice registers again from her own address");
    again.stop();
    await legitimate.check("during the user ban");
  },
);

test("one address guessing 5 times for several users is banned over its proven source: no more answers at all", { timeout: 120_000 }, async () => {
  const statuses: number[] = [];
  for (const user of ["bob", "carol", "dave", "erin", "frank", "grace"]) statuses.push(await guess(user, "127.0.3.99"));
  assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], statuses.join(" "));
  assert.equal(statuses[5], 0, `the 6th guess from the banned address gets no answer: ${statuses.join(" ")}`);
  await legitimate.check("after an address was banned for guessing");
});
