// The boot test's network probes against local listeners: SIP OPTIONS over TCP reads the final response
// after a provisional one, and the closed-port probe fails on a TCP port that accepts or resets and on a UDP
// port that answers, and passes only on silence (what a drop policy gives).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { createServer, type AddressInfo, type Server } from "node:net";
import { probeSipOptions } from "../../image/smoke/probe-gateway.ts";
import { parseSipMessage } from "../../image/smoke/sip-messages.ts";
import { probeClosedPort } from "../../image/boot-test/probe-closed-port.ts";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

test("SIP OPTIONS over TCP: a 100 Trying then a 200 OK split across writes is a pass with the status", async (t) => {
  const seen: string[] = [];
  const server = createServer((socket) =>
    socket.on("data", (data) => {
      const request = parseSipMessage(data.toString());
      seen.push(request.startLine, request.headers.get("via")![0]!);
      const head = (status: string) => `SIP/2.0 ${status}\r\nVia: ${request.headers.get("via")![0]}\r\nContent-Length: 0\r\n\r\n`;
      socket.write(head("100 Trying") + head("200 OK").slice(0, 20));
      setTimeout(() => socket.write(head("200 OK").slice(20)), 50);
    }),
  );
  const port = await listen(server);
  t.after(() => server.close());
  const check = await probeSipOptions("127.0.0.1", port, 2000, "127.0.0.1", "tcp");
  assert.deepEqual(check, { name: "kamailio answers SIP OPTIONS over TCP", ok: true, detail: `SIP/2.0 200 OK (127.0.0.1:${port})` });
  assert.equal(seen[0], `OPTIONS sip:127.0.0.1:${port};transport=tcp SIP/2.0`);
  assert.match(seen[1]!, /^SIP\/2\.0\/TCP 127\.0\.0\.1:\d+;/);
});

test("SIP OPTIONS over TCP: a connection closed without an answer fails", async (t) => {
  const server = createServer((socket) => socket.end());
  const port = await listen(server);
  t.after(() => server.close());
  const check = await probeSipOptions("127.0.0.1", port, 2000, "127.0.0.1", "tcp");
  assert.equal(check.ok, false);
  assert.match(check.detail, /closed the connection without a final response/);
});

test("closed-port probe: a TCP port that accepts, or resets, is not dropped", async () => {
  const server = createServer((socket) => socket.end());
  const port = await listen(server);
  const probe = { label: "a test port", protocol: "tcp" as const, port, exposure: "internal" as const, payload: "tcp-connect" as const };
  const accepted = await probeClosedPort("127.0.0.1", probe, 1000, "127.0.0.1");
  assert.equal(accepted.ok, false);
  assert.match(accepted.detail, /accepted a TCP connection/);
  assert.equal(accepted.name, `the firewall drops a test port (TCP ${port}, internal) from outside`);
  await new Promise((resolve) => server.close(resolve));
  const refused = await probeClosedPort("127.0.0.1", probe, 1000, "127.0.0.1");
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /refused the connection .*the firewall did not drop the SYN/);
});

test("closed-port probe: a UDP listener that answers its payload fails; a silent one passes as dropped", async (t) => {
  const socket = createSocket("udp4");
  const payloads: string[] = [];
  socket.on("message", (data, remote) => {
    payloads.push(data.toString());
    socket.send(data.toString().startsWith("OPTIONS") ? "SIP/2.0 200 OK\r\n\r\n" : "d6:result4:ponge", remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  t.after(() => socket.close());
  const port = socket.address().port;
  const ng = await probeClosedPort(
    "127.0.0.1",
    { label: "rtpengine control", protocol: "udp", port, exposure: "loopback", payload: "ng-ping" },
    1000,
    "127.0.0.1",
  );
  assert.equal(ng.ok, false);
  assert.match(payloads[0]!, /^\w+ d7:command4:pinge$/);
  const sip = await probeClosedPort(
    "127.0.0.1",
    { label: "media service", protocol: "udp", port, exposure: "loopback", payload: "sip-options" },
    1000,
    "127.0.0.1",
  );
  assert.equal(sip.ok, false);
  assert.match(sip.detail, /answered: SIP\/2\.0 200 OK/);
  socket.removeAllListeners("message");
  const silent = await probeClosedPort(
    "127.0.0.1",
    { label: "media service", protocol: "udp", port, exposure: "loopback", payload: "sip-options" },
    300,
    "127.0.0.1",
  );
  assert.deepEqual(silent, {
    name: `the firewall drops media service (UDP ${port}, loopback) from outside`,
    ok: true,
    detail: "dropped: no answer to a SIP OPTIONS within 300 ms",
  });
});
