import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { connect } from "node:tls";
import { agentConfigFor, makeRoot } from "./agent-helpers.ts";
import { requestAgent } from "./agent-https-client.ts";
import { ensureTlsCertificate } from "../../gateway/agent/firstboot/ensure-tls-certificate.ts";
import { hashAdminPassword } from "../../gateway/agent/firstboot/admin-password.ts";
import { startGatewayHttps } from "../../gateway/agent/admin/start-gateway-https.ts";
import { createAdminLoginCheck } from "../../gateway/agent/admin/check-admin-login.ts";
import { createLoginLimiter } from "../../gateway/agent/admin/limit-login-attempts.ts";
import type { GatewayStatusSources } from "../../gateway/agent/admin/collect-gateway-status.ts";
import type { StaticAsset } from "../../gateway/agent/admin/load-static-assets.ts";

const password = "i-0abc1234def567890";

const sources: GatewayStatusSources = {
  services: async () => [{ unit: "kamailio.service", state: "active" }],
  registrations: async () => [
    { aor: "alice@pbx.example.com", contact: "sip:alice@198.51.100.7:5060;transport=ws", expires: 600, userAgent: "<script>alert(1)</script>" },
  ],
  calls: async () => [{ callId: "call-1", from: "sip:alice@pbx.example.com", to: "sip:music@pbx.example.com", state: 4, startedAt: 1795600000 }],
  rtpengine: async () => {
    throw new Error("rtpengine did not answer");
  },
  license: async () => ({
    verdict: { status: "missing" },
    limits: { mode: "demo", maxCallSeconds: 90, maxParallelCalls: 250, summary: "demo mode (no license): calls end after 90 s" },
  }),
};

async function startAgent(t: { after(fn: () => Promise<void>): void }, kamailioPort = 9) {
  const root = await makeRoot();
  const tls = { certificatePath: join(root, "cert.pem"), keyPath: join(root, "key.pem"), names: ["127.0.0.1"] };
  await ensureTlsCertificate(tls, false);
  await writeFile(join(root, "admin.passwd"), await hashAdminPassword(password), { mode: 0o600 });
  let clock = 1_000_000;
  const lines: string[] = [];
  const assets = new Map<string, StaticAsset>([["index.html", { body: Buffer.from("<h1>tryit</h1>"), contentType: "text/html; charset=utf-8" }]]);
  const agent = await startGatewayHttps({
    config: agentConfigFor(),
    tls: { cert: await readFile(tls.certificatePath), key: await readFile(tls.keyPath) },
    listen: { address: "127.0.0.1", port: 0 },
    sources,
    checkLogin: createAdminLoginCheck({
      user: "sbcadmin",
      readPasswordHash: () => readFile(join(root, "admin.passwd"), "utf8"),
      limiter: createLoginLimiter({ now: () => clock }),
      now: () => clock,
    }),
    assets,
    kamailio: { address: "127.0.0.1", port: kamailioPort },
    bootedAt: new Date("2026-11-25T10:00:00Z"),
    now: () => new Date("2026-11-25T12:00:00Z"),
    log: (line) => lines.push(line),
  });
  t.after(async () => {
    await agent.close();
    await rm(root, { recursive: true, force: true });
  });
  return { agent, lines, advance: (ms: number) => (clock += ms), hash: await readFile(join(root, "admin.passwd"), "utf8") };
}

test("the admin UI wants the right user and password (401 otherwise) and shows status without secrets", async (t) => {
  const { agent, lines, hash } = await startAgent(t);
  const missing = await requestAgent(agent.port, "/");
  assert.equal(missing.status, 401);
  assert.match(String(missing.headers["www-authenticate"]), /^Basic realm="rtcgw admin"/);
  assert.equal((await requestAgent(agent.port, "/", { user: "sbcadmin", password: "i-wrong" })).status, 401);
  assert.equal((await requestAgent(agent.port, "/", { user: "root", password })).status, 401);
  assert.equal((await requestAgent(agent.port, "/api/status")).status, 401);
  assert.equal((await requestAgent(agent.port, "/", { headers: { authorization: "Bearer x" } })).status, 401);

  const page = await requestAgent(agent.port, "/", { user: "sbcadmin", password });
  assert.equal(page.status, 200);
  assert.match(page.body, /alice@pbx\.example\.com/);
  assert.match(page.body, /call-1/);
  assert.match(page.body, /rtpengine unavailable: rtpengine did not answer/);
  assert.match(page.body, /read at boot only/);
  assert.match(page.body, /\^music\$ → music/);
  assert.match(page.body, new RegExp(agentConfigFor().recipe.hash));
  assert.ok(
    page.body.includes("&#60;script&#62;alert(1)&#60;/script&#62;") && !page.body.includes("<script>"),
    "user agent must be escaped, page has no script",
  );
  assert.match(String(page.headers["content-security-policy"]), /default-src 'none'/);
  const api = await requestAgent(agent.port, "/api/status", { user: "sbcadmin", password });
  assert.equal(api.status, 200);
  assert.equal(JSON.parse(api.body).licenseReadAtBootOnly, true);
  assert.equal((await requestAgent(agent.port, "/", { method: "POST", user: "sbcadmin", password })).status, 405);

  const everything = [page.body, api.body, JSON.stringify(page.headers), lines.join("\n")].join("\n");
  for (const secret of [password, hash.trim(), hash.split("$")[4]!, Buffer.from(`sbcadmin:${password}`).toString("base64")]) {
    assert.ok(!everything.includes(secret), `a secret leaked: ${secret.slice(0, 6)}…`);
  }
  assert.ok(lines.some((l) => / GET \/ 401$/.test(l)) && lines.some((l) => / GET \/ 200$/.test(l)), lines.join("\n"));
});

test("/tryit/ is public and no path reaches outside its files", async (t) => {
  const { agent } = await startAgent(t);
  const tryit = await requestAgent(agent.port, "/tryit/");
  assert.equal(tryit.status, 200);
  assert.equal(tryit.body, "<h1>tryit</h1>");
  assert.equal((await requestAgent(agent.port, "/tryit")).status, 301);
  for (const path of [
    "/tryit/../../../../etc/passwd",
    "/tryit/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/tryit/..%2f..%2f..%2fetc%2fpasswd",
    "/tryit/%2fetc%2fpasswd",
    "//etc/passwd",
    "/tryit/....//....//etc/passwd",
    "/tryit/index.html%00.js",
    "/etc/passwd",
  ]) {
    const response = await requestAgent(agent.port, path);
    assert.ok(response.status === 404 || response.status === 400, `${path} → ${response.status}`);
    assert.ok(!response.body.includes("root:"), path);
  }
});

test("logins are rate-limited per address: 5 failures lock it out, even with the right password, until the lock ends", async (t) => {
  const { agent, advance } = await startAgent(t);
  for (let i = 0; i < 5; i++) assert.equal((await requestAgent(agent.port, "/", { user: "sbcadmin", password: `guess${i}` })).status, 401);
  const locked = await requestAgent(agent.port, "/", { user: "sbcadmin", password });
  assert.equal(locked.status, 429);
  assert.equal(locked.headers["retry-after"], "300");
  advance(301_000);
  assert.equal((await requestAgent(agent.port, "/", { user: "sbcadmin", password })).status, 200);
});

test("a flood of parallel logins from one address stops at its lockout: 5 or 6 password checks, the rest get 429", async (t) => {
  const { agent } = await startAgent(t);
  const statuses = await Promise.all(
    Array.from({ length: 30 }, (_, i) => requestAgent(agent.port, "/", { user: "sbcadmin", password: `flood${i}` }).then((r) => r.status)),
  );
  const denied = statuses.filter((s) => s === 401).length;
  assert.ok(denied >= 5 && denied <= 6, statuses.join(" "));
  assert.equal(statuses.filter((s) => s === 429).length, 30 - denied, statuses.join(" "));
});

test("password checks are capped across addresses: 2 run, 16 wait, the rest are told to retry in 1 s without a check", async () => {
  const limiter = createLoginLimiter();
  const hash = await hashAdminPassword(password);
  let reads = 0;
  const check = createAdminLoginCheck({ user: "sbcadmin", readPasswordHash: async () => (reads++, hash), limiter });
  const header = (i: number) => `Basic ${Buffer.from(`sbcadmin:flood${i}`).toString("base64")}`;
  const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => check(header(i), `192.0.2.${i + 1}`)));
  assert.deepEqual(
    outcomes.slice(18),
    Array.from({ length: 12 }, () => ({ kind: "limited", retryAfterSeconds: 1 })),
  );
  assert.deepEqual(
    outcomes.slice(0, 18),
    Array.from({ length: 18 }, () => ({ kind: "denied" })),
  );
  assert.equal(reads, 18);
});

test("SIP WebSocket upgrades go to Kamailio with the client's address; other upgrades are refused", async (t) => {
  const heads: string[] = [];
  const kamailio = createServer((socket) => {
    socket.once("data", (data) => {
      heads.push(data.toString());
      socket.end("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: sip\r\n\r\n");
    });
  });
  await new Promise<void>((resolve) => kamailio.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => kamailio.close(() => resolve())));
  const { agent } = await startAgent(t, (kamailio.address() as { port: number }).port);
  const upgrade = (path: string, protocol: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: agent.port, rejectUnauthorized: false }, () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ${protocol}\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n`,
        );
      });
      let reply = "";
      socket.on("data", (d) => (reply += d.toString()));
      socket.on("end", () => resolve(reply));
      socket.on("error", reject);
    });
  assert.match(await upgrade("/", "sip"), /^HTTP\/1\.1 101/);
  assert.match(heads[0]!, /^GET \/ HTTP\/1\.1\r\n/);
  assert.match(heads[0]!, /\r\nX-Forwarded-For: 127\.0\.0\.1\r\n/);
  assert.ok(!heads[0]!.includes("6.6.6.6"), "a client-sent X-Forwarded-For must not reach Kamailio");
  assert.match(await upgrade("/ws", "sip"), /^HTTP\/1\.1 101/);
  assert.match(await upgrade("/", "chat"), /^HTTP\/1\.1 400/);
  assert.match(await upgrade("/RPC", "sip"), /^HTTP\/1\.1 400/);
  assert.equal(heads.length, 2);
});
