// A PBX stand-in for the smoke test: answers every SIP request on UDP with 200 OK and prints one JSON
// line per request to stdout. Run: `node --import tsx pbx-standin.ts PORT [ADDRESS]` (every address by default).
import { createSocket } from "node:dgram";
import process from "node:process";
import { parseSipMessage, renderOkResponse } from "./sip-messages.ts";

const port = Number(process.argv[2] ?? 5060);
const address = process.argv[3] ?? "0.0.0.0";
const socket = createSocket("udp4");
socket.on("message", (data, remote) => {
  const message = parseSipMessage(data.toString("utf8"));
  if (message.startLine.startsWith("SIP/2.0")) return;
  const method = message.startLine.split(" ")[0];
  process.stdout.write(`${JSON.stringify({ method, from: `${remote.address}:${remote.port}`, path: message.headers.get("path") ?? [] })}\n`);
  if (method !== "ACK") socket.send(renderOkResponse(message), remote.port, remote.address);
});
socket.bind(port, address, () => process.stdout.write(`${JSON.stringify({ listening: port })}\n`));
