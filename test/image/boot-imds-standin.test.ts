// The boot test's IMDSv2 stand-in: what the appliance's first boot reads through it, and an IMDSv1
// client (a GET without a session token) refused with 401 and recorded, which fails the boot gate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { startImdsStandin } from "../../image/boot-test/imds-standin.ts";
import { readInstanceIdentity, requestImds, type ImdsRequest } from "../../gateway/agent/firstboot/read-instance-identity.ts";

const instance = {
  instanceId: "i-0123456789abcdef0",
  region: "eu-central-1",
  localIpv4: "10.77.0.10",
  localHostname: "ip-10-77-0-10.eu-central-1.compute.internal",
  openSshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0 rtcgw-test",
};

async function start(t: { after: (fn: () => void) => void }) {
  const { server, log } = await startImdsStandin(instance, { address: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log };
}

test("an IMDSv1 client (GET without a token) is refused with 401, and the stand-in records it", async (t) => {
  const { endpoint, log } = await start(t);
  const v1 = await fetch(`${endpoint}/latest/meta-data/instance-id`);
  assert.equal(v1.status, 401);
  const forged = await fetch(`${endpoint}/latest/meta-data/instance-id`, { headers: { "x-aws-ec2-metadata-token": "made-up" } });
  assert.equal(forged.status, 401);
  assert.deepEqual(log.refused, ["GET /latest/meta-data/instance-id", "GET /latest/meta-data/instance-id"]);
  assert.equal(log.tokens, 0);
  assert.equal((await fetch(`${endpoint}/latest/api/token`, { method: "PUT" })).status, 400, "a token needs a TTL");
  assert.equal((await fetch(`${endpoint}/latest/api/token`)).status, 405, "a token comes from PUT only");
});

test("the appliance's IMDSv2 client reads identity, host name and the launch key through the stand-in", async (t) => {
  const { endpoint, log } = await start(t);
  const identity = await readInstanceIdentity({ endpoint });
  assert.deepEqual(identity, { ...instance, publicIpv4: undefined });
  assert.equal(log.tokens, 1);
  assert.deepEqual(log.refused, []);
});

test("the client waits for the metadata service while the network comes up, and gives up after its budget", async (t) => {
  const { endpoint } = await start(t);
  const port = Number(new URL(endpoint).port);
  // Nothing listens on port+1 at first; then the real endpoint stands in for the late network.
  let calls = 0;
  const lateRequest: ImdsRequest = (url, init) =>
    ++calls < 3 ? requestImds(new URL(String(url).replace(`:${port}`, `:${port === 65535 ? 1 : port + 1}`)), init) : requestImds(url, init);
  const identity = await readInstanceIdentity({ endpoint, request: lateRequest, waitMs: 5000 });
  assert.equal(identity.instanceId, instance.instanceId);
  assert.ok(calls >= 3);
  await assert.rejects(readInstanceIdentity({ endpoint: "http://127.0.0.1:1", waitMs: 600 }), /ECONNREFUSED/);
});

test("a metadata service that accepts the connection but never answers fails each try after its timeout", async (t) => {
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.after(() => silent.close());
  const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  await assert.rejects(readInstanceIdentity({ endpoint, timeoutMs: 300 }), /\/latest\/api\/token: no answer within 300 ms/);
});

test("a metadata service that answers but trickles its body fails after the timeout, not after the last byte", async (t) => {
  const trickling = createHttpServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/plain" });
    const drip = setInterval(() => response.write("x"), 50);
    response.on("close", () => clearInterval(drip));
  });
  await new Promise<void>((resolve) => trickling.listen(0, "127.0.0.1", resolve));
  t.after(() => trickling.close());
  const endpoint = `http://127.0.0.1:${(trickling.address() as AddressInfo).port}`;
  await assert.rejects(readInstanceIdentity({ endpoint, timeoutMs: 300 }), /\/latest\/api\/token: no answer within 300 ms/);
});
