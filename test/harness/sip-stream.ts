// SIP over a stream (TCP or WebSocket) from one loopback source address: an attacker's raw client that
// writes exactly the bytes a test gives and collects whatever comes back.
import { connect, type Socket } from "node:net";
import WebSocket from "ws";

/** An open TCP or WebSocket SIP connection. It answers every BYE it receives with 200 OK, as any caller would. */
export interface SipStreamClient {
  address: string;
  port: number;
  /** Every message (WS) or chunk (TCP) received so far, as text. */
  received: string[];
  send(message: string): void;
  /** Resolves with the first received text matching `pattern` within `timeoutMs`, else undefined. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string | undefined>;
  close(): void;
}

// Opens a TCP connection from `localAddress` to `host`:`port`.
export function openSipTcpClient(localAddress: string, host: string, port: number): Promise<SipStreamClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port, localAddress });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      const client = streamClient(
        localAddress,
        socket.localPort ?? 0,
        (text) => socket.write(text),
        () => socket.destroy(),
      );
      socket.on("data", (data) => client.received.push(data.toString("latin1")));
      resolve(client);
    });
  });
}

// Opens a SIP WebSocket (`Sec-WebSocket-Protocol: sip`) from `localAddress` to `url`.
export function openSipWsClient(localAddress: string, url: string, headers: Record<string, string> = {}): Promise<SipStreamClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "sip", { localAddress, headers, rejectUnauthorized: false });
    ws.once("error", reject);
    ws.once("open", () => {
      ws.off("error", reject);
      ws.on("error", () => {});
      const port = (ws as unknown as { _socket?: Socket })._socket?.localPort ?? 0;
      const client = streamClient(
        localAddress,
        port,
        (text) => ws.send(text),
        () => ws.terminate(),
      );
      ws.on("message", (data) => client.received.push(data.toString()));
      resolve(client);
    });
  });
}

function streamClient(address: string, port: number, write: (text: string) => void, close: () => void): SipStreamClient {
  const received: string[] = [];
  const push = received.push.bind(received);
  received.push = (...texts: string[]) => {
    for (const text of texts) if (text.startsWith("BYE ")) write(answerBye(text));
    return push(...texts);
  };
  return {
    address,
    port,
    received,
    send: write,
    close,
    waitFor: async (pattern, timeoutMs = 1500) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = received.find((text) => pattern.test(text));
        if (found) return found;
        await new Promise((done) => setTimeout(done, 20));
      }
      return undefined;
    },
  };
}

// The 200 OK to a BYE: its Via, From, To, Call-ID and CSeq copied.
function answerBye(bye: string): string {
  const copied = bye.split("\r\n").filter((line) => /^(Via|v|From|f|To|t|Call-ID|i|CSeq):/i.test(line));
  return `SIP/2.0 200 OK\r\n${copied.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`;
}
