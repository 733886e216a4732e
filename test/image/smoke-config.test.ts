import { test } from "node:test";
import assert from "node:assert/strict";
import { findNgListen } from "../../image/smoke/read-image-config.ts";
import { answerDnsQuery } from "../../image/smoke/dns-standin.ts";
import { parseSipMessage, renderOkResponse, renderOptions, renderPcmuAnswer, renderWebSocketRegister } from "../../image/smoke/sip-messages.ts";

test("rtpengine's ng listener is read from the [rtpengine] section", () => {
  assert.deepEqual(findNgListen("[rtpengine]\ntable = -1\nlisten-ng = 127.0.0.1:2223\n[rtpengine-testing]\nlisten-ng = 9999\n"), {
    host: "127.0.0.1",
    port: 2223,
  });
  assert.deepEqual(findNgListen("[rtpengine]\nlisten-ng = localhost:22222\n"), { host: "127.0.0.1", port: 22222 });
  assert.deepEqual(findNgListen("[rtpengine]\nlisten-ng = 2224\n"), { host: "127.0.0.1", port: 2224 });
});

test("the PBX stand-in's 200 OK echoes the request's dialog headers and tags To", () => {
  const request = parseSipMessage(renderWebSocketRegister("pbx.example.com", "alice"));
  assert.match(request.startLine, /^REGISTER sip:pbx\.example\.com SIP\/2\.0$/);
  const ok = parseSipMessage(renderOkResponse(request));
  assert.equal(ok.startLine, "SIP/2.0 200 OK");
  for (const header of ["via", "from", "call-id", "cseq", "contact"]) assert.deepEqual(ok.headers.get(header), request.headers.get(header), header);
  assert.match(ok.headers.get("to")![0]!, /;tag=[0-9a-f]+$/);
});

test("the PBX stand-in answers an INVITE as a phone: Record-Route copied, its own Contact, a PCMU SDP answer, the same To tag again", () => {
  const invite = parseSipMessage(
    [
      "INVITE sip:A@192.0.2.10:5060 SIP/2.0",
      "Record-Route: <sip:10.77.0.10;lr>",
      "Via: SIP/2.0/UDP 10.77.0.10:5060;branch=z9hG4bK1",
      "From: <sip:boot-test@pbx.example.com>;tag=f1",
      "To: <sip:A@pbx.example.com>",
      "Call-ID: c1",
      "CSeq: 1 INVITE",
      "Contact: <sip:boot-test@10.77.0.10:5060>",
      "",
      "",
    ].join("\r\n"),
  );
  const answer = { contact: "<sip:pbx@192.0.2.10:5060>", sdp: renderPcmuAnswer("192.0.2.10", 40000) };
  const text = renderOkResponse(invite, answer, "t1");
  const ok = parseSipMessage(text);
  assert.deepEqual(ok.headers.get("record-route"), ["<sip:10.77.0.10;lr>"]);
  assert.deepEqual(ok.headers.get("contact"), ["<sip:pbx@192.0.2.10:5060>"]);
  assert.deepEqual(ok.headers.get("to"), ["<sip:A@pbx.example.com>;tag=t1"]);
  assert.deepEqual(ok.headers.get("content-type"), ["application/sdp"]);
  const body = text.split("\r\n\r\n")[1]!;
  assert.equal(Number(ok.headers.get("content-length")![0]), Buffer.byteLength(body));
  assert.match(body, /^c=IN IP4 192\.0\.2\.10$/m);
  assert.match(body, /^m=audio 40000 RTP\/AVP 0$/m);
  // A REGISTER's 200 carries no Record-Route and echoes the Contact, as before.
  assert.equal(parseSipMessage(renderOkResponse(invite)).headers.get("record-route"), undefined);
});

test("OPTIONS carries a Via with rport toward the local socket", () => {
  const options = parseSipMessage(renderOptions("127.0.0.1:5060", "127.0.0.1:40000"));
  assert.equal(options.startLine, "OPTIONS sip:127.0.0.1:5060 SIP/2.0");
  assert.match(options.headers.get("via")![0]!, /^SIP\/2\.0\/UDP 127\.0\.0\.1:40000;branch=z9hG4bK[0-9a-f]+;rport$/);
  const overTcp = parseSipMessage(renderOptions("10.77.0.10:5060", "10.77.0.1:40000", "tcp"));
  assert.equal(overTcp.startLine, "OPTIONS sip:10.77.0.10:5060;transport=tcp SIP/2.0");
  assert.match(overTcp.headers.get("via")![0]!, /^SIP\/2\.0\/TCP 10\.77\.0\.1:40000;branch=/);
  assert.deepEqual(overTcp.headers.get("content-length"), ["0"]);
});

test("the DNS stand-in answers A for its names, NXDOMAIN for others, and no data for other types", () => {
  const query = (name: string, type: number) => {
    const labels = Buffer.concat([...name.split(".").map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(type, 0);
    tail.writeUInt16BE(1, 2);
    return Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), labels, tail]);
  };
  const records = new Map([["pbx.example.com", "192.0.2.10"]]);
  const a = answerDnsQuery(query("PBX.example.com", 1), records)!;
  assert.equal(a.readUInt16BE(0), 0x1234);
  assert.equal(a.readUInt16BE(2) & 0x000f, 0, "NOERROR");
  assert.equal(a.readUInt16BE(6), 1, "one answer");
  assert.deepEqual([...a.subarray(a.length - 4)], [192, 0, 2, 10]);
  const srv = answerDnsQuery(query("pbx.example.com", 33), records)!;
  assert.equal(srv.readUInt16BE(6), 0);
  const other = answerDnsQuery(query("other.example.com", 1), records)!;
  assert.equal(other.readUInt16BE(2) & 0x000f, 3, "NXDOMAIN");
});
