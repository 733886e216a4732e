// The PBX stand-in of the WebRTC benchmark: a UDP SIP answerer that takes every INVITE with 200 OK at once
// (an SDP from the benchmark's plain endpoint for that call), keeps the 200 going until the ACK, and answers
// BYE. Both gateways under test (rtcgw's Kamailio, Janus's SIP plugin) call it.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { findHeader, findHeaderList, parseSipMessage, type SipRequest } from "../../gateway/media/sip/sip-parse.ts";

/** What the PBX does with a call: the SDP answer for an offer, and what to do on BYE. */
export interface PbxCalls {
  /** The answer to an INVITE's offer (undefined: 488). Called once per Call-ID. */
  answer(callId: string, offer: string, requestUri: string): string | undefined;
  ended(callId: string): void;
}

/** A running PBX stand-in. */
export interface PbxUas {
  address: string;
  port: number;
  /** Requests received per method, and INVITE retransmissions seen. */
  counts: Record<string, number>;
  close(): Promise<void>;
}

interface Answered {
  response: string;
  to: RemoteInfo;
  acked: boolean;
  timer?: NodeJS.Timeout;
}

// Binds the answerer on `address` (a free port) and serves until closed.
export function startPbxUas(address: string, calls: PbxCalls): Promise<PbxUas> {
  const socket: Socket = createSocket("udp4");
  const answered = new Map<string, Answered>();
  const counts: Record<string, number> = {};
  const send = (text: string, to: RemoteInfo) => socket.send(text, to.port, to.address);
  socket.on("message", (datagram, from) => {
    const parsed = parseSipMessage(datagram);
    if (parsed.ok !== true || parsed.message.kind !== "request") return;
    const request = parsed.message;
    counts[request.method] = (counts[request.method] ?? 0) + 1;
    const call = answered.get(request.callId);
    if (request.method === "INVITE") {
      if (call) return send(call.response, from); // a retransmission
      const sdp = calls.answer(request.callId, request.body, request.uri);
      const response =
        sdp === undefined ? respond(request, 488, "Not Acceptable Here") : respond(request, 200, "OK", sdp, `${address}:${socket.address().port}`);
      const entry: Answered = { response, to: from, acked: false };
      answered.set(request.callId, entry);
      send(response, from);
      if (sdp !== undefined) retransmitUntilAck(entry, (text) => send(text, from));
    } else if (request.method === "ACK") {
      if (call) {
        call.acked = true;
        clearTimeout(call.timer);
      }
    } else if (request.method === "BYE") {
      send(respond(request, 200, "OK"), from);
      if (call) {
        clearTimeout(call.timer);
        answered.delete(request.callId);
        calls.ended(request.callId);
      }
    } else send(respond(request, request.method === "CANCEL" ? 481 : 200, request.method === "CANCEL" ? "Call Does Not Exist" : "OK"), from);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, address, () =>
      resolve({
        address,
        port: socket.address().port,
        counts,
        close: () =>
          new Promise<void>((done) => {
            for (const call of answered.values()) clearTimeout(call.timer);
            socket.close(() => done());
          }),
      }),
    );
  });
}

// RFC 3261 13.3.1.4: the 200 goes again at T1, 2 T1, … (capped at T2) until the ACK, for 32 s at most.
function retransmitUntilAck(entry: Answered, send: (text: string) => void, interval = 500, elapsed = 0): void {
  if (entry.acked || elapsed >= 32_000) return;
  entry.timer = setTimeout(() => {
    if (entry.acked) return;
    send(entry.response);
    retransmitUntilAck(entry, send, Math.min(interval * 2, 4000), elapsed + interval);
  }, interval);
}

// A response to `request`: its Via, From, Call-ID, CSeq and Record-Route, a To tag, and for 2xx a Contact and the body.
function respond(request: SipRequest, status: number, reason: string, sdp?: string, contact?: string): string {
  const header = (name: string) => request.headers.filter((h) => h.name === name).map((h) => `${name === "via" ? "Via" : "Record-Route"}: ${h.value}`);
  const to = findHeader(request.headers, "to") ?? "";
  const body = sdp ?? "";
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...header("via"),
    `From: ${findHeader(request.headers, "from")}`,
    `To: ${to}${request.to.params.has("tag") ? "" : `;tag=${randomBytes(4).toString("hex")}`}`,
    `Call-ID: ${request.callId}`,
    `CSeq: ${request.cseq.number} ${request.cseq.method}`,
    ...(status < 300 && request.method === "INVITE" ? (findHeaderList(request.headers, "record-route").length ? header("record-route") : []) : []),
    ...(contact ? [`Contact: <sip:pbx@${contact}>`] : []),
    ...(sdp ? ["Content-Type: application/sdp"] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}
