// A DNS stand-in for the smoke test: answers A queries for the names it is given on 127.0.0.1:53 in
// the gateway's network namespace (the sealed image's empty resolv.conf means glibc and Kamailio ask
// 127.0.0.1), NXDOMAIN for other names, no data for other types.
import { createSocket, type Socket } from "node:dgram";

// The answer to one DNS query packet, or undefined when it is not a query.
export function answerDnsQuery(query: Buffer, records: ReadonlyMap<string, string>): Buffer | undefined {
  if (query.length < 12 || (query[2]! & 0x80) !== 0) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < query.length && query[at] !== 0) {
    const length = query[at]!;
    labels.push(query.subarray(at + 1, at + 1 + length).toString("ascii"));
    at += 1 + length;
  }
  const questionEnd = at + 5;
  if (questionEnd > query.length) return undefined;
  const type = query.readUInt16BE(at + 1);
  const name = labels.join(".").toLowerCase();
  const address = records.get(name);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | (query[2]! & 0x01 ? 0x0100 : 0) | (address === undefined ? 3 : 0), 2);
  header.writeUInt16BE(1, 4);
  const answers = address !== undefined && type === 1 ? [encodeARecord(address)] : [];
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

function encodeARecord(address: string): Buffer {
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0);
  record.writeUInt16BE(1, 2);
  record.writeUInt16BE(1, 4);
  record.writeUInt32BE(60, 6);
  record.writeUInt16BE(4, 10);
  address.split(".").forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
  return record;
}

// Serves `records` (name → IPv4 address) on host:port until the socket is closed.
export function startDnsStandin(records: ReadonlyMap<string, string>, host = "127.0.0.1", port = 53): Promise<Socket> {
  const socket = createSocket("udp4");
  socket.on("message", (query, remote) => {
    const answer = answerDnsQuery(query, records);
    if (answer) socket.send(answer, remote.port, remote.address);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => resolve(socket));
  });
}
