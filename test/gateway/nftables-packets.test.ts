// The compiled ruleset really filters: loaded in a server network namespace joined to a client namespace
// by a veth pair, with a listener on every probed port, only the recipe's public ports answer the client;
// rtpengine's control port and the media service port stay unreachable although something listens there;
// one client address cannot hold more than its share of TCP connections.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileNftablesRuleset } from "../../gateway/nftables/compile-nftables-ruleset.ts";
import { tcpConnectionsPerSource } from "../../gateway/kamailio/size-gateway-limits.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { runTool } from "../image/require-tool.ts";
import { from, loadRecipe } from "../image/load-test-recipe.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-nft-packets-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

const probe = new URL("./fixtures/port-probe.mjs", import.meta.url).pathname;

// Runs the probe from the client namespace against every port, with the ruleset loaded on the server side.
async function probePorts(ruleset: string, ports: string[]): Promise<Map<string, string>> {
  requireBinary("nft", "nftables");
  requireBinary("ip", "iproute2");
  const file = join(workDir, `ruleset-${ports.length}.nft`);
  writeFileSync(file, ruleset);
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  const [server, client] = [`rtcgw-s-${suffix}`, `rtcgw-c-${suffix}`];
  const list = ports.join(" ");
  const script = `
set -eu
cleanup() { [ -n "\${pid:-}" ] && kill "$pid" 2>/dev/null; ip netns del ${server} 2>/dev/null; ip netns del ${client} 2>/dev/null; true; }
trap cleanup EXIT
ip netns add ${server}
ip netns add ${client}
ip link add veth-s netns ${server} type veth peer name veth-c netns ${client}
ip -n ${server} link set lo up
ip -n ${server} addr add 10.213.0.1/24 dev veth-s
ip -n ${server} link set veth-s up
ip -n ${client} addr add 10.213.0.2/24 dev veth-c
ip -n ${client} link set veth-c up
ip netns exec ${server} nft -f '${file}'
ip netns exec ${server} '${process.execPath}' '${probe}' serve 0.0.0.0 ${list} > '${workDir}/serve.log' 2>&1 &
pid=$!
tries=0
until grep -q ready '${workDir}/serve.log'; do tries=$((tries + 1)); [ "$tries" -lt 100 ] || exit 3; sleep 0.05; done
ip netns exec ${client} '${process.execPath}' '${probe}' probe 10.213.0.1 ${list}
`;
  const result = await runTool("sh", ["-c", script], "dash");
  assert.equal(result.exitCode, 0, result.stderr);
  return new Map(
    result.stdout
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string]),
  );
}

test("default recipe: SIP, WSS, RTP and SSH answer; loopback-only and unlisted ports do not", async () => {
  const ruleset = compileNftablesRuleset(loadRecipe(), from)[0]!.content;
  const open = ["udp:5060", "udp:5069", "tcp:5060", "tcp:5069", "tcp:443", "udp:10000", "udp:11000", "tcp:22"];
  const closed = ["udp:2223", "tcp:2223", "udp:5090", "udp:5070", "tcp:5070", "udp:9999", "udp:11001", "tcp:8080", "udp:443"];
  const seen = await probePorts(ruleset, [...open, ...closed]);
  assert.deepEqual(Object.fromEntries(seen), Object.fromEntries([...open.map((p) => [p, "open"]), ...closed.map((p) => [p, "closed"])]));
});

test("SSH only from allowFrom sources: a client outside the list is dropped", async () => {
  const recipe = loadRecipe((r) => (r.image.ssh = { port: 22, allowFrom: ["198.51.100.0/24"] }));
  const seen = await probePorts(compileNftablesRuleset(recipe, from)[0]!.content, ["tcp:22", "tcp:443"]);
  assert.deepEqual(Object.fromEntries(seen), { "tcp:22": "closed", "tcp:443": "open" });
});

test(`one source address holds at most ${tcpConnectionsPerSource} TCP connections to the public TCP ports; the next ones are reset`, async () => {
  requireBinary("nft", "nftables");
  requireBinary("ip", "iproute2");
  const file = join(workDir, "ruleset-tcp-cap.nft");
  writeFileSync(file, compileNftablesRuleset(loadRecipe(), from)[0]!.content);
  const holder = new URL("./fixtures/tcp-hold.mjs", import.meta.url).pathname;
  const suffix = `i12-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const [server, client] = [`rtcgw-s-${suffix}`, `rtcgw-c-${suffix}`];
  const script = `
set -eu
cleanup() { [ -n "\${pid:-}" ] && kill "$pid" 2>/dev/null; ip netns del ${server} 2>/dev/null; ip netns del ${client} 2>/dev/null; true; }
trap cleanup EXIT
ip netns add ${server}
ip netns add ${client}
ip link add veth-s netns ${server} type veth peer name veth-c netns ${client}
ip -n ${server} link set lo up
ip -n ${server} addr add 10.213.1.1/24 dev veth-s
ip -n ${server} link set veth-s up
ip -n ${client} addr add 10.213.1.2/24 dev veth-c
ip -n ${client} link set veth-c up
ip netns exec ${server} nft -f '${file}'
ip netns exec ${server} '${process.execPath}' '${holder}' serve 0.0.0.0 443 > '${workDir}/hold.log' 2>&1 &
pid=$!
tries=0
until grep -q ready '${workDir}/hold.log'; do tries=$((tries + 1)); [ "$tries" -lt 100 ] || exit 3; sleep 0.05; done
ip netns exec ${client} '${process.execPath}' '${holder}' open 10.213.1.1 443 ${tcpConnectionsPerSource + 10}
`;
  const result = await runTool("sh", ["-c", script], "dash");
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.trim(), `established ${tcpConnectionsPerSource} refused 10`);
});
