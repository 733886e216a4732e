// A minimal real Kamailio for the agent's contract tests: the loopback WS listener the agent proxies to
// (WebSocket handshake + JSONRPC at /RPC on the same port, as gateway/agent/README.md asks of kamailio.cfg),
// a registrar for WS clients, and the dialog module for `dlg.list`. The handshake route records the
// X-Forwarded-For the agent adds and checks pike on it.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running Kamailio. */
export interface TestKamailio {
  port: number;
  output: string[];
  stop(): Promise<void>;
}

// A free TCP port on loopback (closed again before use; good enough on a test box).
export function findFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function renderConfig(port: number): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
tcp_children=2
auto_aliases=no
tcp_accept_no_cl=yes
listen=tcp:127.0.0.1:${port}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "kex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
loadmodule "htable.so"
loadmodule "pike.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "dialog.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "transport", 1)
modparam("htable", "htable", "wsclient=>size=8;autoexpire=7200")
modparam("htable", "htable", "wsreg=>size=8;autoexpire=3600")
modparam("pike", "sampling_time_unit", 2)
modparam("pike", "reqs_density_per_unit", 30)

request_route {
	if ($proto == "ws" && is_method("REGISTER")) {
		xlog("L_NOTICE", "REGISTER over ws from browser $sht(wsclient=>$conid)\\n");
		# As the gateway does (kamailio.cfg.hbs, route[REGISTRATION_ENTRY]): "EXPIRES-AT AOR USER-AGENT" per connection.
		$var(expires_at) = $Ts + 600;
		$sht(wsreg=>$conid) = "" + $var(expires_at) + " " + $tu + " " + $ua;
		if (!save("location")) sl_reply_error();
		exit;
	}
	sl_send_reply("403", "Forbidden");
}

event_route[xhttp:request] {
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm == "GET") {
		if ($si == "127.0.0.1" && $hdr(X-Forwarded-For) != $null) {
			if (!pike_check_ip("$hdr(X-Forwarded-For)")) {
				xhttp_reply("503", "Service Unavailable", "", "");
				exit;
			}
			$sht(wsclient=>$conid) = $hdr(X-Forwarded-For);
		}
		xlog("L_NOTICE", "ws handshake on $Rp from $si for $hdr(X-Forwarded-For)\\n");
		if (ws_handle_handshake()) exit;
	}
	if ($hu =~ "^/RPC" && $si == "127.0.0.1" && $hdr(X-Forwarded-For) == $null) {
		jsonrpc_dispatch();
		exit;
	}
	xhttp_reply("404", "Not Found", "", "");
}
`;
}

// Checks the config (kamailio -c) and starts Kamailio in the foreground on a free loopback port.
export async function startTestKamailio(): Promise<TestKamailio> {
  const port = await findFreePort();
  const dir = await mkdtemp(join(tmpdir(), "rtcgw-agent-kamailio-"));
  const cfg = join(dir, "kamailio.cfg");
  await writeFile(cfg, renderConfig(port));
  const output: string[] = [];
  const child = spawn("kamailio", ["-f", cfg, "-DD", "-E", "-Y", dir, "-w", dir, "-m", "32", "-M", "8"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
  try {
    await waitForPort(port, () => child.exitCode !== null, output);
  } catch (error) {
    if (child.exitCode === null) child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, exited: () => boolean, output: string[]): Promise<void> {
  const { connect } = await import("node:net");
  for (let i = 0; i < 100; i++) {
    if (exited()) throw new Error(`kamailio exited:\n${output.join("")}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`kamailio did not listen on ${port}:\n${output.join("")}`);
}
