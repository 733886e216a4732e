import { createServer } from "node:net";
import { createSocket } from "node:dgram";

const taken = new Set<number>();

// Returns `count` distinct loopback ports that are free for both TCP and UDP right now (and not handed
// out before in this process), so parallel tests and processes do not collide.
export async function findFreePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freeTcpPort(host);
    if (taken.has(port) || !(await isUdpFree(port, host))) continue;
    taken.add(port);
    ports.push(port);
  }
  return ports;
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function isUdpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}
