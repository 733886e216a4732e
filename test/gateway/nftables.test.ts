// The compiled ruleset passes `nft -c`, and once loaded (in a private network namespace) opens exactly the
// recipe's public ports, SSH rate-limited from the allowed sources, and nothing that is loopback-only.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileNftablesRuleset } from "../../gateway/nftables/compile-nftables-ruleset.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { runTool } from "../image/require-tool.ts";
import { from, loadRecipe } from "../image/load-test-recipe.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-nft-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** An accepted destination port (range) as seen in the loaded ruleset. */
interface OpenPort {
  protocol: string;
  ports: string;
  /** Source restriction of the rule (`@set` or a prefix), if any. */
  from?: string;
  /** `10/minute` when the rule is rate-limited. */
  limit?: string;
}

function writeRuleset(recipe: Recipe, name: string): string {
  const [file] = compileNftablesRuleset(recipe, from);
  assert.equal(file!.path, "etc/nftables.conf");
  const path = join(workDir, `${name}.nft`);
  writeFileSync(path, file!.content);
  return path;
}

// Loads the ruleset into a throwaway network namespace and returns `nft -j list ruleset`.
async function loadInPrivateNamespace(path: string): Promise<{ nftables: Record<string, any>[] }> {
  requireBinary("nft", "nftables");
  const result = await runTool("unshare", ["--net", "sh", "-c", `nft -f '${path}' && nft -j list ruleset`], "util-linux");
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const formatValue = (value: any): string =>
  typeof value === "number" ? String(value) : value.range ? `${value.range[0]}-${value.range[1]}` : JSON.stringify(value);

// Every input-chain rule that accepts a destination port, read from nft's JSON.
function listOpenPorts(ruleset: { nftables: Record<string, any>[] }): OpenPort[] {
  return ruleset.nftables
    .filter((item) => item.rule?.chain === "input" && item.rule.expr.some((e: any) => "accept" in e))
    .flatMap((item) => {
      const expr: any[] = item.rule.expr;
      const dport = expr.find((e) => e.match?.left?.payload?.field === "dport");
      if (!dport) return [];
      const source = expr.find((e) => e.match?.left?.payload?.field === "saddr");
      const limit = JSON.stringify(expr).match(/"limit":\{"rate":(\d+),"burst":\d+,"per":"(\w+)"/);
      const open: OpenPort = { protocol: dport.match.left.payload.protocol, ports: formatValue(dport.match.right) };
      if (source)
        open.from = typeof source.match.right === "string" ? source.match.right : `${source.match.right.prefix.addr}/${source.match.right.prefix.len}`;
      if (limit) open.limit = `${limit[1]}/${limit[2]}`;
      return [open];
    });
}

const dhcpv6 = { protocol: "udp", ports: "546", from: "fe80::/10" };
const byText = (a: OpenPort, b: OpenPort) => JSON.stringify(a).localeCompare(JSON.stringify(b));

test("the default recipe's ruleset passes nft -c", async () => {
  const result = await runTool("nft", ["-c", "-f", writeRuleset(loadRecipe(), "default-check")], "nftables");
  assert.equal(result.exitCode, 0, result.stderr);
});

test("default recipe: exactly SIP, WSS/HTTPS, RTP and rate-limited SSH are open; policies drop in, drop forward", async () => {
  const ruleset = await loadInPrivateNamespace(writeRuleset(loadRecipe(), "default"));
  const chains = Object.fromEntries(ruleset.nftables.filter((i) => i.chain).map((i) => [i.chain.name, i.chain.policy]));
  assert.deepEqual(chains, { input: "drop", forward: "drop", output: "accept" });
  const expected: OpenPort[] = [
    { protocol: "udp", ports: "5060-5069" },
    { protocol: "tcp", ports: "5060-5069" },
    { protocol: "tcp", ports: "443" },
    { protocol: "udp", ports: "10000-11000" },
    { protocol: "tcp", ports: "22", from: "@ssh_allow_v4", limit: "10/minute" },
    { protocol: "tcp", ports: "22", from: "@ssh_allow_v6", limit: "10/minute" },
    dhcpv6,
  ];
  const open = listOpenPorts(ruleset);
  assert.deepEqual(open.sort(byText), expected.sort(byText));
  for (const loopbackOnly of ["2223", "5090"]) assert.ok(!open.some((p) => p.ports === loopbackOnly), `${loopbackOnly} must stay closed`);
  const sets = Object.fromEntries(ruleset.nftables.filter((i) => i.set?.elem).map((i) => [i.set.name, i.set.elem]));
  assert.deepEqual(sets, { ssh_allow_v4: [{ prefix: { addr: "0.0.0.0", len: 0 } }], ssh_allow_v6: [{ prefix: { addr: "::", len: 0 } }] });
});

test("a recipe variant changes the open ports: TLS, WS, one SIP transport, other RTP and SSH settings", async () => {
  const recipe = loadRecipe((r) => {
    r.gateway.listen.sip = { ports: "5080-5081", transports: ["udp"] };
    r.gateway.listen.tls = { port: 5061 };
    r.gateway.listen.ws = { port: 8080 };
    r.gateway.listen.rtp = "20000-20999";
    r.gateway.listen.rtpengineControl = 2300;
    r.gateway.media = { port: 5095 };
    r.image.ssh = { port: 2222, allowFrom: ["198.51.100.0/24", "203.0.113.9/32"], rateLimitPerMinute: 4 };
  });
  const ruleset = await loadInPrivateNamespace(writeRuleset(recipe, "variant"));
  const expected: OpenPort[] = [
    { protocol: "udp", ports: "5080-5081" },
    { protocol: "tcp", ports: "5061" },
    { protocol: "tcp", ports: "443" },
    { protocol: "tcp", ports: "8080" },
    { protocol: "udp", ports: "20000-20999" },
    { protocol: "tcp", ports: "2222", from: "@ssh_allow_v4", limit: "4/minute" },
    dhcpv6,
  ];
  assert.deepEqual(listOpenPorts(ruleset).sort(byText), expected.sort(byText));
  const v4 = ruleset.nftables.find((i) => i.set?.name === "ssh_allow_v4");
  assert.deepEqual(v4?.set.elem, [{ prefix: { addr: "198.51.100.0", len: 24 } }, "203.0.113.9"]);
  assert.ok(!ruleset.nftables.some((i) => i.set?.name === "ssh_allow_v6"), "no IPv6 SSH sources → no IPv6 SSH rule");
});

test("IPv6 keeps working: neighbour discovery, router advertisements and packet-too-big are accepted", async () => {
  const ruleset = await loadInPrivateNamespace(writeRuleset(loadRecipe(), "ipv6"));
  const text = JSON.stringify(ruleset);
  for (const type of ["nd-neighbor-solicit", "nd-neighbor-advert", "nd-router-advert", "packet-too-big", "echo-request"]) {
    assert.ok(text.includes(`"${type}"`), type);
  }
});
