// Kamailio's shared memory and the connection limits are sized together: for every instance size, the
// connections Kamailio and the agent admit fit in the shared memory left after the reserve.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sharedMemoryPerConnectionKiB, sizeGatewayLimits, tcpConnectionsPerSource } from "../../gateway/kamailio/size-gateway-limits.ts";

test("connections × measured cost fit in shared memory for instances from 512 MiB to 64 GiB", () => {
  for (const memoryMiB of [512, 1024, 2048, 4096, 8192, 16384, 65536]) {
    const limits = sizeGatewayLimits({ memoryMiB, cores: 2 });
    assert.ok(limits.kamailioSharedMiB <= memoryMiB / 4, `${memoryMiB} MiB: shared memory ${limits.kamailioSharedMiB} MiB`);
    assert.ok(
      (limits.tcpMaxConnections * sharedMemoryPerConnectionKiB) / 1024 <= limits.kamailioSharedMiB - 48,
      `${memoryMiB} MiB: ${limits.tcpMaxConnections} connections do not fit`,
    );
    assert.ok(limits.webSocketTotal < limits.tcpMaxConnections, "the agent admits fewer WebSockets than Kamailio's connection limit");
  }
});

test("Debian's defaults are replaced: a 2 GiB instance gets 512 MiB and 4949 connections, a small one still 64 MiB", () => {
  assert.deepEqual(sizeGatewayLimits({ memoryMiB: 2048, cores: 2 }), {
    kamailioSharedMiB: 512,
    kamailioPrivateMiB: 16,
    tcpMaxConnections: 4949,
    webSocketTotal: 4885,
    webSocketPerAddress: 20,
    overloadCps: 1200,
  });
  assert.equal(sizeGatewayLimits({ memoryMiB: 200, cores: 1 }).kamailioSharedMiB, 64);
  assert.ok(
    tcpConnectionsPerSource > sizeGatewayLimits({ memoryMiB: 2048, cores: 2 }).webSocketPerAddress,
    "nftables lets one address hold its WebSockets plus HTTPS",
  );
});
