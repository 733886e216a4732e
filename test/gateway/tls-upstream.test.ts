// A TLS upstream, against the real Kamailio: a browser's REGISTER reaches the PBX over TLS only when the PBX's
// certificate verifies (a pinned CA in the recipe, or the image's CA bundle), unless the recipe opts out.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileTlsConfig, systemCaDirectory } from "../../gateway/kamailio/compile-tls-config.ts";
import { startBrowser } from "../harness/browser.ts";
import { findFreePorts } from "../harness/free-ports.ts";
import { buildTestRecipe, loopbackGatewayDefines, writeKamailioConfig } from "../harness/gateway-config.ts";
import { startKamailio } from "../harness/kamailio.ts";
import { stopAllProcesses, tail } from "../harness/start-process.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { createSelfSignedCertificate } from "../harness/tls-certificate.ts";

const pbxAddress = "127.0.0.2";
const domain = "pbx.test";
const workDir = mkdtempSync(join(tmpdir(), "rtcgw-tls-upstream-"));
const openssl = requireBinary("openssl", "openssl");
let pbx: { server: Server; port: number; registers: string[]; handshakeErrors: string[]; close(): Promise<void> };

// A CA and, from it, a certificate for the PBX stand-in; a second CA that signed nothing here.
function makeCa(name: string): { cert: string; key: string } {
  const ca = { cert: join(workDir, `${name}.pem`), key: join(workDir, `${name}.key`) };
  execFileSync(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", ca.key, "-out", ca.cert], {
    stdio: "ignore",
  });
  return ca;
}
const goodCa = makeCa("rtcgw-test-ca");
const otherCa = makeCa("rtcgw-other-ca");
const pbxKey = join(workDir, "pbx.key");
const pbxCert = join(workDir, "pbx.pem");
execFileSync(openssl, ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=pbx.test", "-keyout", pbxKey, "-out", join(workDir, "pbx.csr")], {
  stdio: "ignore",
});
writeFileSync(join(workDir, "pbx.ext"), "subjectAltName=IP:127.0.0.2,DNS:pbx.test\n");
execFileSync(
  openssl,
  [
    "x509",
    "-req",
    "-in",
    join(workDir, "pbx.csr"),
    "-CA",
    goodCa.cert,
    "-CAkey",
    goodCa.key,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    join(workDir, "pbx.ext"),
    "-out",
    pbxCert,
  ],
  { stdio: "ignore" },
);

// A SIP-over-TLS PBX stand-in: answers every REGISTER with 200 OK on the connection it came in on.
async function startTlsPbx(): Promise<typeof pbx> {
  const registers: string[] = [];
  const handshakeErrors: string[] = [];
  const sockets = new Set<TLSSocket>();
  const server = createServer({ key: readFileSync(pbxKey), cert: readFileSync(pbxCert) }, (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = "";
    socket.on("data", (data) => {
      buffer += data.toString("latin1");
      let end: number;
      while ((end = buffer.indexOf("\r\n\r\n")) >= 0) {
        const head = buffer.slice(0, end);
        const length = Number(/^Content-Length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
        buffer = buffer.slice(end + 4 + length);
        if (!head.startsWith("REGISTER ")) continue;
        registers.push(head);
        const keep = head.split("\r\n").filter((line) => /^(Via|From|To|Call-ID|CSeq|Contact):/i.test(line));
        socket.write(`SIP/2.0 200 OK\r\n${keep.map((l) => (/^To:/i.test(l) ? `${l};tag=pbx` : l)).join("\r\n")}\r\nContent-Length: 0\r\n\r\n`);
      }
    });
    socket.on("error", () => {});
  });
  server.on("tlsClientError", (error) => handshakeErrors.push(error.message));
  const [port] = await findFreePorts(1, pbxAddress);
  await new Promise<void>((resolve) => server.listen(port, pbxAddress, resolve));
  return {
    server,
    port: port!,
    registers,
    handshakeErrors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

before(async () => {
  pbx = await startTlsPbx();
});
after(async () => {
  await stopAllProcesses();
  await pbx?.close();
  if (!process.env.RTCGW_KEEP_LOGS) rmSync(workDir, { recursive: true, force: true });
});

// Compiles the recipe with a TLS upstream pointing at the stand-in, starts Kamailio on loopback and registers a browser.
async function registerThrough(name: string, tls: Record<string, unknown> | undefined): Promise<number> {
  const recipe = buildTestRecipe((r) => {
    r.gateway.domains = [domain];
    r.gateway.upstreams = [{ name: "pbx", host: pbxAddress, port: pbx.port, transport: "tls", allowFrom: [`${pbxAddress}/32`], ...(tls ? { tls } : {}) }];
    r.gateway.listen.tls = { port: 5081 };
  });
  const dir = join(workDir, name);
  const configPath = writeKamailioConfig(recipe, dir);
  assert.ok(
    tls?.ca ||
      tls?.verify === false ||
      compileTlsConfig(recipe, { recipeFile: "t.ts", recipeName: "t" })[0]!.content.includes(`ca_path = ${systemCaDirectory}`),
  );
  const { ports, defines } = await loopbackGatewayDefines(recipe, createSelfSignedCertificate(dir), { LOG_LEVEL: 2 });
  assert.match(readFileSync(JSON.parse(String(defines.TLS_CONFIG)), "utf8"), /^\[client:any\]\nserver_id = UPSTREAM_0$/m);
  const gateway = await startKamailio("gateway", configPath, dir, { defines, ready: readySocket(recipe, ports) });
  let stopBrowser = () => {};
  try {
    const browser = await startBrowser(`ws://127.0.0.1:${ports.loopback}`, `alice-${name}`, domain, "secret").catch((error: Error) => {
      throw new Error(`${error.message}\n${tail(gateway.logPath, 40)}`);
    });
    stopBrowser = () => browser.stop();
    return await browser.register();
  } finally {
    stopBrowser();
    await gateway.stop();
    if (process.env.RTCGW_KEEP_LOGS) console.log(tail(gateway.logPath, 60));
  }
}

test("a pinned CA that signed the PBX's certificate: the REGISTER reaches the PBX over TLS", { timeout: 60_000 }, async () => {
  const before = pbx.registers.length;
  assert.equal(await registerThrough("pinned", { ca: readFileSync(goodCa.cert, "utf8") }), 200);
  assert.ok(pbx.registers.length > before, "the PBX stand-in got no REGISTER");
  assert.match(pbx.registers[before]!, /^Via: SIP\/2\.0\/TLS /m);
});

test("a pinned CA that did not sign it: the gateway refuses the PBX and the REGISTER fails", { timeout: 60_000 }, async () => {
  const before = pbx.registers.length;
  const status = await registerThrough("wrong-ca", { ca: readFileSync(otherCa.cert, "utf8") });
  assert.notEqual(status, 200);
  assert.equal(pbx.registers.length, before, "the PBX stand-in got a REGISTER through an unverified connection");
});

test("by default the image's CA bundle decides: a private CA's certificate is refused", { timeout: 60_000 }, async () => {
  const before = pbx.registers.length;
  assert.notEqual(await registerThrough("system-bundle", undefined), 200);
  assert.equal(pbx.registers.length, before);
});

test("verify: false (the documented opt-out) connects without checking", { timeout: 60_000 }, async () => {
  const before = pbx.registers.length;
  assert.equal(await registerThrough("no-verify", { verify: false }), 200);
  assert.ok(pbx.registers.length > before, "the PBX stand-in got no REGISTER");
});

// Where Kamailio proves it is ready: a UDP SIP port, or its loopback HTTP listener when it has no UDP.
function readySocket(recipe: { gateway: { listen: { sip: { transports: readonly string[] } } } }, ports: { sip: number[]; loopback: number }) {
  return recipe.gateway.listen.sip.transports.includes("udp") ? { address: "127.0.0.1", port: ports.sip[0]! } : { http: `http://127.0.0.1:${ports.loopback}/` };
}
