// SIP stand-ins for generated-recipe tests: a PBX (or the media service) on UDP, TCP or TLS that records every
// request, answers REGISTER with 200 and INVITE with 486 (the call reached it: no media needed to prove the route).
import { createSocket } from "node:dgram";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";

/** A running stand-in: its port and the first lines (request lines) of what it received. */
export interface SipStandin {
  transport: "udp" | "tcp" | "tls";
  port: number;
  requests: string[];
  close(): Promise<void>;
}

// The reply to one request, built from its headers; undefined for ACK.
function reply(request: string): string | undefined {
  const method = request.slice(0, request.indexOf(" "));
  if (method === "ACK") return undefined;
  const status = method === "INVITE" ? "486 Busy Here" : "200 OK";
  const keep = request.split("\r\n").filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line));
  const headers = keep.map((line) => (/^To:/i.test(line) && !/;tag=/i.test(line) ? `${line};tag=standin` : line));
  const contact = method === "REGISTER" ? request.split("\r\n").filter((line) => /^Contact:/i.test(line)) : [];
  return `SIP/2.0 ${status}\r\n${[...headers, ...contact].join("\r\n")}\r\nContent-Length: 0\r\n\r\n`;
}

// Splits a byte stream into SIP messages (head + Content-Length body), calling `each` with every head.
function streamParser(each: (head: string) => void): (data: Buffer) => void {
  let buffer = "";
  return (data) => {
    buffer += data.toString("latin1");
    for (let end = buffer.indexOf("\r\n\r\n"); end >= 0; end = buffer.indexOf("\r\n\r\n")) {
      const head = buffer.slice(0, end);
      const length = Number(/^(?:Content-Length|l):\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      buffer = buffer.slice(end + 4 + length);
      each(head);
    }
  };
}

// Starts a stand-in on `address` (port 0: any free one); TLS needs a certificate pair (PEM text).
export async function startSipStandin(transport: "udp" | "tcp" | "tls", address: string, tls?: { cert: string; key: string }): Promise<SipStandin> {
  const requests: string[] = [];
  const record = (head: string) => {
    if (!head.startsWith("SIP/2.0")) requests.push(head.slice(0, head.indexOf("\r\n")));
  };
  if (transport === "udp") {
    const socket = createSocket("udp4");
    socket.on("message", (data, from) => {
      const head = data.toString("latin1").split("\r\n\r\n")[0]!;
      record(head);
      const answer = head.startsWith("SIP/2.0") ? undefined : reply(head);
      if (answer) socket.send(answer, from.port, from.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    return { transport, port: socket.address().port, requests, close: () => new Promise((resolve) => socket.close(() => resolve())) };
  }
  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.on(
      "data",
      streamParser((head) => {
        record(head);
        const answer = head.startsWith("SIP/2.0") ? undefined : reply(head);
        if (answer) socket.write(answer);
      }),
    );
  };
  const server: Server = transport === "tls" ? createTlsServer({ cert: tls!.cert, key: tls!.key }, onConnection) : createTcpServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    transport,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
