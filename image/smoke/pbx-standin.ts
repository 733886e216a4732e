// A PBX stand-in for the smoke and boot tests: answers every SIP request on UDP with 200 OK and prints one JSON
// line per request to stdout. An INVITE is answered as a phone would (its own Contact, an SDP answer taking
// PCMU) with an RTP echo behind the answer; the line of each BYE carries the RTP packets the echo received (and
// sent back) so far per payload type. Run: `node --import tsx pbx-standin.ts PORT [ADDRESS]` (every
// address by default; the SDP answer names ADDRESS, 127.0.0.1 when it is every address).
import { createSocket } from "node:dgram";
import process from "node:process";
import { startRtpEcho } from "./rtp-echo.ts";
import { makeToken, parseSipMessage, renderOkResponse, renderPcmuAnswer } from "./sip-messages.ts";

const port = Number(process.argv[2] ?? 5060);
const address = process.argv[3] ?? "0.0.0.0";
const mediaAddress = address === "0.0.0.0" ? "127.0.0.1" : address;
const echo = await startRtpEcho(address);
const answer = { contact: `<sip:pbx@${mediaAddress}:${port}>`, sdp: renderPcmuAnswer(mediaAddress, echo.port) };
// The To tag of each call answered, by Call-ID: a retransmitted INVITE gets the same answer.
const answeredCalls = new Map<string, string>();
const socket = createSocket("udp4");
socket.on("message", (data, remote) => {
  const message = parseSipMessage(data.toString("utf8"));
  if (message.startLine.startsWith("SIP/2.0")) return;
  const method = message.startLine.split(" ")[0];
  const callId = message.headers.get("call-id")?.[0] ?? "";
  const rtp = method === "BYE" ? { rtp: { perPayloadType: echo.perPayloadType } } : {};
  process.stdout.write(`${JSON.stringify({ method, from: `${remote.address}:${remote.port}`, path: message.headers.get("path") ?? [], ...rtp })}\n`);
  if (method === "ACK") return;
  if (method === "INVITE") {
    const toTag = answeredCalls.get(callId) ?? makeToken();
    answeredCalls.set(callId, toTag);
    socket.send(renderOkResponse(message, answer, toTag), remote.port, remote.address);
  } else socket.send(renderOkResponse(message), remote.port, remote.address);
});
socket.bind(port, address, () => process.stdout.write(`${JSON.stringify({ listening: port, rtp: echo.port })}\n`));
