// The ready line waits for the Node services' sockets: the ready unit's `ExecStartPre` polls run here for real
// against sockets on the recipe's ports, and must keep waiting while a socket is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { createServer, type AddressInfo, type Server } from "node:net";
import { compileBootFiles } from "../../image/boot/compile-boot-files.ts";
import { runTool } from "./require-tool.ts";
import { from, loadRecipe } from "./load-test-recipe.ts";

async function listenTcp(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function bindUdp(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

// The unit's shell polls, for a recipe whose WSS and media ports are `wss` and `media`.
function readyPolls(wss: number, media: number): string[] {
  const recipe = loadRecipe((input) => {
    input.gateway.listen.wss.port = wss;
    input.gateway.media = { ...input.gateway.media, port: media };
  });
  const unit = compileBootFiles(recipe, from).find((f) => f.path === "etc/systemd/system/rtcgw-ready.service")!;
  return [...unit.content.matchAll(/^ExecStartPre=\/bin\/sh -c '(.*)'$/gm)].map((m) => m[1]!);
}

// Runs one poll for at most `seconds`: exit 0 when the socket is there, 124 (timeout's) while it waits.
function runPoll(poll: string, seconds: number) {
  return runTool("timeout", [String(seconds), "sh", "-c", poll], "coreutils");
}

test("the ready unit waits until the agent's TCP port and the media service's UDP port listen, and not longer", async () => {
  const tcp = await listenTcp();
  const udp = await bindUdp();
  const wss = (tcp.address() as AddressInfo).port;
  const media = udp.address().port;
  const polls = readyPolls(wss, media);
  assert.equal(polls.length, 2, "one poll per Node service");
  assert.match(polls[0]!, new RegExp(`-Htln "sport = :${wss}"`));
  assert.match(polls[1]!, new RegExp(`-Huln "sport = :${media}"`));
  for (const poll of polls) assert.equal((await runPoll(poll, 10)).exitCode, 0, `${poll} should return at once`);
  tcp.close();
  udp.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const poll of polls) assert.equal((await runPoll(poll, 1)).exitCode, 124, `${poll} should still wait without its socket`);
});
