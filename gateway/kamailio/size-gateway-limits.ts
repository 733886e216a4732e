// Sizes Kamailio's shared memory together with every connection and call-rate limit from the instance
// (memory, cores), so that the limits bind before memory runs out. First boot writes the result for Kamailio
// (shared memory, TCP connections, overload cap) and the agent applies the same figures to its WebSocket proxy.

/** Measured shared memory per WebSocket connection after one SIP request (docs/PERFORMANCE.md, bench/gateway-ws-memory.ts: 96.3 KiB). */
export const sharedMemoryPerConnectionKiB = 96;

/** Open TCP connections one source address may hold (nftables): above the agent's WebSockets per address plus a browser's HTTPS connections. */
export const tcpConnectionsPerSource = 50;

/** What an instance has. */
export interface InstanceSize {
  memoryMiB: number;
  cores: number;
}

/** The limits derived from an instance size. */
export interface GatewayLimits {
  /** Kamailio `-m` (shared memory, MiB). */
  kamailioSharedMiB: number;
  /** Kamailio `-M` (private memory per process, MiB). */
  kamailioPrivateMiB: number;
  /** Kamailio `tcp_max_connections`: every TCP, TLS and WebSocket connection. */
  tcpMaxConnections: number;
  /** The agent's WebSocket proxy: connections in total (leaves room for upstream TCP and the admin UI). */
  webSocketTotal: number;
  /** The agent's WebSocket proxy: connections per client address. */
  webSocketPerAddress: number;
  /** New calls per second before 503 (pipelimit RED under a TAILDROP ceiling, route[OVERLOAD]). */
  overloadCps: number;
}

/** The instance the compiled defaults assume when first boot has not sized the gateway (2 GiB, 2 cores: t3.small). */
export const defaultInstanceSize: InstanceSize = { memoryMiB: 2048, cores: 2 };

// Connections not held by browsers: upstream TCP/TLS, the agent's RPC and metrics calls.
const reservedConnections = 64;
// Shared memory kept for transactions, dialogs, htables and rtpengine state, whatever the connections use.
const reservedSharedMiB = 48;
// New calls per second per core before the overload route sheds them, well below the clean rate: 2000 signalling
// CPS were clean on 2 cores with the load generator beside them (bench/gateway.ts, TLSF, 2026-12-03; the "1500: 88
// failed" of 2026-12-02 were this cap's own 503s), and a cap of 1200 held 99 % goodput at 1x and 93 % at 3x
// (bench/gateway-overload.ts; docs/PERFORMANCE.md, issue 12). Raising it needs that overload run again.
const callsPerSecondPerCore = 600;

// The limits for an instance (pure): a quarter of its memory for Kamailio's shared memory (64 MiB to 4 GiB),
// and as many connections as fit in what is left after the reserve, so memory can never run out first.
export function sizeGatewayLimits(instance: InstanceSize): GatewayLimits {
  const kamailioSharedMiB = Math.min(4096, Math.max(64, floorToPowerOfTwo(instance.memoryMiB / 4)));
  const connections = Math.floor(((kamailioSharedMiB - reservedSharedMiB) * 1024) / sharedMemoryPerConnectionKiB);
  const tcpMaxConnections = Math.max(reservedConnections * 2, connections);
  return {
    kamailioSharedMiB,
    kamailioPrivateMiB: 16,
    tcpMaxConnections,
    webSocketTotal: tcpMaxConnections - reservedConnections,
    webSocketPerAddress: 20,
    overloadCps: Math.max(100, Math.round(instance.cores * callsPerSecondPerCore)),
  };
}

function floorToPowerOfTwo(value: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, value)));
}
