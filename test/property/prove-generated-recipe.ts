// Proves one recipe that check accepted: its configs load in the tools that read them (kamailio -c, nft -c,
// sshd -t), and the real Kamailio it compiles to (with rtpengine) carries a REGISTER to the registrar upstream and,
// for every dial route, a call for a number that route picks to where the route says.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DFA, NFA, Words } from "refa";
import { buildDialLanguage } from "../../dsl/dial-language.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import { compileGateway } from "../../gateway/compile-gateway.ts";
import { compileHardeningFiles, sshdDropInPath } from "../../image/hardening/compile-hardening-files.ts";
import { startBrowser } from "../harness/browser.ts";
import { loopbackGatewayDefines, writeKamailioConfig } from "../harness/gateway-config.ts";
import { checkKamailioConfig, startKamailio } from "../harness/kamailio.ts";
import { tail } from "../harness/start-process.ts";
import { requireBinary } from "../harness/require-binary.ts";
import type { TlsPair } from "../harness/tls-certificate.ts";
import { runTool } from "../image/require-tool.ts";
import { generatedDomain } from "./recipe-arbitrary.ts";
import { startSipStandin, type SipStandin } from "./sip-standins.ts";

/** What every proof shares: a running rtpengine, the gateway's TLS pair, the PBX stand-ins' pair (signed by the CA recipes pin). */
export interface ProofEnvironment {
  workDir: string;
  rtpengineNgPort: number;
  gatewayTls: TlsPair;
  pbxTls: { cert: string; key: string };
}

const pbxAddress = "127.0.0.2";
let proofCount = 0;

// Runs every check on one resolved recipe; throws (with the gateway's log) on the first failure.
export async function proveGeneratedRecipe(recipe: Recipe, env: ProofEnvironment): Promise<void> {
  const dir = join(env.workDir, `recipe-${++proofCount}`);
  mkdirSync(dir, { recursive: true });
  const from = { recipeFile: "generated.ts", recipeName: recipe.name };
  const files = compileGateway(recipe, from);
  await checkNftables(files.find((f) => f.path === "etc/nftables.conf")!.content, dir);
  await checkSshd(compileHardeningFiles(recipe, from).find((f) => f.path === sshdDropInPath)!.content, dir);

  const configPath = writeKamailioConfig(recipe, dir);
  const standins: SipStandin[] = [];
  try {
    for (const upstream of recipe.gateway.upstreams) standins.push(await startSipStandin(upstream.transport, pbxAddress, env.pbxTls));
    const media = await startSipStandin("udp", "127.0.0.1");
    standins.push(media);
    const extra: Record<string, string | number> = { RTPENGINE_SOCKET: `"udp:127.0.0.1:${env.rtpengineNgPort}"`, MEDIA_PORT: media.port, LOG_LEVEL: 2 };
    recipe.gateway.upstreams.forEach((_, i) => Object.assign(extra, { [`UPSTREAM_${i}_HOST`]: `"${pbxAddress}"`, [`UPSTREAM_${i}_PORT`]: standins[i]!.port }));
    const { ports, defines } = await loopbackGatewayDefines(recipe, env.gatewayTls, extra);
    const checked = checkKamailioConfig(configPath, defines);
    assert.equal(checked.status, 0, `kamailio -c:\n${checked.output}`);
    const gateway = await startKamailio("gateway", configPath, dir, { defines, ready: readySocket(recipe, ports) });
    try {
      await proveCalls(recipe, ports.loopback, standins, media);
    } catch (error) {
      throw new Error(`${(error as Error).message}\ngateway log:\n${tail(gateway.logPath, 40)}`);
    } finally {
      await gateway.stop();
    }
  } finally {
    for (const standin of standins) await standin.close();
  }
}

async function proveCalls(recipe: Recipe, wsPort: number, standins: SipStandin[], media: SipStandin): Promise<void> {
  const browser = await startBrowser(`ws://127.0.0.1:${wsPort}`, "alice", generatedDomain, "secret");
  try {
    assert.equal(await browser.register(), 200, "REGISTER through the gateway");
    assert.ok(
      standins[0]!.requests.some((line) => line.startsWith("REGISTER ")),
      `the registrar upstream (${recipe.gateway.upstreams[0]!.transport}) got no REGISTER`,
    );
    const routes = recipe.gateway.dialPlan;
    for (const [index, route] of routes.entries()) {
      const number = pickNumberFor(
        routes.map((r) => r.pattern),
        index,
      );
      if (number === undefined) continue;
      const seen = standins.map((s) => s.requests.length);
      const status = await browser.call(`sip:${number}@${generatedDomain}`).then(
        (session: { terminate(): void }) => (session.terminate(), 200),
        (error: { status?: number }) => error.status ?? 0,
      );
      const invited = standins.map((s, i) => s.requests.slice(seen[i]).filter((line) => line.startsWith("INVITE ")));
      const where = `route ${index + 1} (${route.kind} ${route.pattern}), number "${number}"`;
      if (route.kind === "reject") {
        assert.equal(status, route.status, where);
        assert.deepEqual(invited.flat(), [], `${where} reached a stand-in`);
        continue;
      }
      assert.equal(status, 486, `${where}: the stand-in's answer did not come back`);
      const target = route.kind === "upstream" ? standins[recipe.gateway.upstreams.findIndex((u) => u.name === route.upstream)]! : media;
      const got = invited[standins.indexOf(target)]!;
      assert.equal(
        got.length,
        1,
        `${where} did not reach ${route.kind === "upstream" ? `upstream ${route.upstream}` : "the media service"}: ${JSON.stringify(invited)}`,
      );
      if (route.kind === "upstream") assert.match(got[0]!, new RegExp(`^INVITE sip:${escapeRegex(number)}@`), where);
      if (route.kind === "music") assert.match(got[0]!, /^INVITE sip:music@/, where);
    }
  } finally {
    browser.stop();
  }
}

// A dialable number (digits, letters, * and +) route `index` takes: it matches that route and no earlier one.
export function pickNumberFor(patterns: readonly string[], index: number): string | undefined {
  const dialable = buildDialLanguage("^[0-9a-z*+]+$");
  let reaching = NFA.fromIntersection(buildDialLanguage(patterns[index]!), dialable);
  if (index > 0) {
    const earlier = buildDialLanguage(patterns[0]!);
    for (const pattern of patterns.slice(1, index)) earlier.union(buildDialLanguage(pattern));
    const notEarlier = DFA.fromFA(earlier);
    notEarlier.complement();
    reaching = NFA.fromIntersection(reaching, notEarlier);
  }
  for (const wordSet of reaching.wordSets()) return Words.fromUTF16ToString(Words.pickMostReadableWord(wordSet).slice(1, -1));
  return undefined;
}

async function checkNftables(ruleset: string, dir: string): Promise<void> {
  const path = join(dir, "nftables.conf");
  writeFileSync(path, ruleset);
  const result = await runTool("nft", ["-c", "-f", path], "nftables");
  assert.equal(result.exitCode, 0, `nft -c:\n${result.stderr}`);
}

async function checkSshd(dropIn: string, dir: string): Promise<void> {
  const sshd = requireBinary("sshd", "openssh-server");
  const dropIns = join(dir, "sshd_config.d");
  mkdirSync(dropIns, { recursive: true });
  const hostKey = join(dir, "ssh_host_ed25519_key");
  assert.equal((await runTool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey], "openssh-client")).exitCode, 0);
  writeFileSync(join(dropIns, "10-rtcgw.conf"), dropIn);
  const stock = readFileSync("/etc/ssh/sshd_config", "utf8");
  writeFileSync(join(dir, "sshd_config"), `${stock.replace("/etc/ssh/sshd_config.d", dropIns)}\nHostKey ${hostKey}\n`);
  const script = `mount -t tmpfs rtcgw-test /run && mkdir -m 0755 /run/sshd && ${sshd} -t -f '${dir}/sshd_config'`;
  const result = await runTool("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], "util-linux");
  assert.equal(result.exitCode, 0, `sshd -t:\n${result.stderr}`);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Where Kamailio proves it is ready: a UDP SIP port, or its loopback HTTP listener when it has no UDP.
function readySocket(recipe: { gateway: { listen: { sip: { transports: readonly string[] } } } }, ports: { sip: number[]; loopback: number }) {
  return recipe.gateway.listen.sip.transports.includes("udp") ? { address: "127.0.0.1", port: ports.sip[0]! } : { http: `http://127.0.0.1:${ports.loopback}/` };
}
