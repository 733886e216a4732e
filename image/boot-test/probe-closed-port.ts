// The boot test's firewall probe: from the host side, a port that must stay closed gets what would make it
// answer (closed-port-probes.ts). TCP must be dropped (no SYN-ACK, no reset: the ruleset's policy is drop, so
// even a port nothing listens on stays silent); UDP must stay unanswered. Resolves to a check; never throws.
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import type { SmokeCheck } from "../smoke/probe-gateway.ts";
import { makeToken, renderOptions } from "../smoke/sip-messages.ts";
import type { ClosedPortProbe } from "./closed-port-probes.ts";

// Probes `probe.port` on `host` from `bindAddress`; waits `timeoutMs` for any answer.
export function probeClosedPort(host: string, probe: ClosedPortProbe, timeoutMs: number, bindAddress: string): Promise<SmokeCheck> {
  const name = `the firewall drops ${probe.label} (${probe.protocol.toUpperCase()} ${probe.port}, ${probe.exposure}) from outside`;
  return new Promise((resolve) => {
    const dropped = { name, ok: true, detail: `dropped: no answer to ${describePayload(probe)} within ${timeoutMs} ms` };
    let finish: (check: SmokeCheck) => void;
    if (probe.protocol === "tcp") {
      const socket = connect({ host, port: probe.port, localAddress: bindAddress });
      finish = (check) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(check);
      };
      socket.on("connect", () => finish({ name, ok: false, detail: `${host}:${probe.port} accepted a TCP connection` }));
      socket.on("error", (error: NodeJS.ErrnoException) =>
        finish({
          name,
          ok: false,
          detail:
            error.code === "ECONNREFUSED"
              ? `${host}:${probe.port} refused the connection (a TCP reset): the port is closed, but the firewall did not drop the SYN`
              : error.message,
        }),
      );
    } else {
      const socket = createSocket("udp4");
      finish = (check) => {
        clearTimeout(timer);
        socket.close();
        resolve(check);
      };
      socket.on("message", (data) =>
        finish({ name, ok: false, detail: `${host}:${probe.port} answered: ${data.toString("utf8").split("\r\n")[0]!.slice(0, 120)}` }),
      );
      socket.on("error", (error) => finish({ name, ok: false, detail: error.message }));
      socket.bind(0, bindAddress, () => {
        const local = `${bindAddress}:${socket.address().port}`;
        socket.send(probe.payload === "ng-ping" ? `${makeToken()} d7:command4:pinge` : renderOptions(`${host}:${probe.port}`, local), probe.port, host);
      });
    }
    const timer = setTimeout(() => finish(dropped), timeoutMs);
  });
}

function describePayload(probe: ClosedPortProbe): string {
  return { "tcp-connect": "a TCP SYN", "ng-ping": "an ng ping", "sip-options": "a SIP OPTIONS" }[probe.payload];
}
