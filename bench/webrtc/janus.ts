// Janus 1.1.2 (Debian's `janus`) with only its SIP plugin and WebSocket transport, from a private config
// folder on 127.0.0.1, and a browser's side of its API: one WebSocket and session per call, a guest SIP
// identity, `call` with the WebRTC offer, `hangup`.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { requireBinary } from "../../test/harness/require-binary.ts";
import { findFreePorts } from "../../test/harness/free-ports.ts";
import { sleep, startProcess, tail, type RunningProcess } from "../../test/harness/start-process.ts";

const libraries = "/usr/lib/x86_64-linux-gnu/janus";
const otherPlugins = ["audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "streaming", "textroom", "videocall", "videoroom", "voicemail"];
const otherTransports = ["http", "mqtt", "nanomsg", "pfunix", "rabbitmq"];

/** A running Janus and the URL of its WebSocket API. */
export interface RunningJanus {
  process: RunningProcess;
  url: string;
}

// Writes a minimal configuration (SIP plugin and WebSockets only, ICE on `iceAddress` (Janus skips loopback), SIP and
// its RTP on 127.0.0.1, the given port ranges) and starts Janus.
export async function startJanus(workDir: string, ports: { ice: string; sip: string }, iceAddress: string, logLevel = 3): Promise<RunningJanus> {
  const binary = requireBinary("janus", "janus");
  const [wsPort] = await findFreePorts(1);
  const config = join(workDir, "janus");
  mkdirSync(config, { recursive: true });
  const list = (names: string[]) => names.map((n) => `libjanus_${n}.so`).join(",");
  writeFileSync(
    join(config, "janus.jcfg"),
    `general: {
	configs_folder = "${config}"
	plugins_folder = "${libraries}/plugins"
	transports_folder = "${libraries}/transports"
	events_folder = "${libraries}/events"
	loggers_folder = "${libraries}/loggers"
	debug_level = ${logLevel}
	session_timeout = 0
}
media: {
	rtp_port_range = "${ports.ice}"
}
nat: {
	ice_enforce_list = "${iceAddress}"
}
plugins: {
	disable = "${list(otherPlugins)}"
}
transports: {
	disable = "${list(otherTransports)}"
}
events: {
	broadcast = false
}
`,
  );
  writeFileSync(
    join(config, "janus.plugin.sip.jcfg"),
    `general: {
	local_ip = "127.0.0.1"
	sdp_ip = "127.0.0.1"
	keepalive_interval = 0
	behind_nat = false
	rtp_port_range = "${ports.sip}"
	sip_timer_t1x64 = 32000
}
`,
  );
  writeFileSync(
    join(config, "janus.transport.websockets.jcfg"),
    `general: {
	json = "plain"
	ws = true
	ws_port = ${wsPort}
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
`,
  );
  // setpriv: Janus gets SIGKILL when this process dies, even by kill -9 (its threads and ports would stay otherwise).
  const setpriv = requireBinary("setpriv", "util-linux");
  const args = ["--pdeathsig", "KILL", binary, "--config", join(config, "janus.jcfg"), "--configs-folder", config, "--disable-colors", "--no-media-timer=0"];
  const proc = startProcess("janus", setpriv, args, join(workDir, "janus.log"));
  const url = `ws://127.0.0.1:${wsPort}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (!proc.isAlive()) break;
    if (await canConnect(url)) return { process: proc, url };
    await sleep(200);
  }
  await proc.stop();
  throw new Error(`janus did not open its WebSocket API:\n${tail(proc.logPath)}`);
}

/** A call through Janus's SIP plugin. */
export interface JanusCall {
  answer: string;
  hangup(): Promise<void>;
}

// One browser: a session with the SIP plugin as a guest, calling `uri` with `offer`; resolves when Janus relays the answer.
export async function callThroughJanus(url: string, uri: string, offer: string, timeoutMs = 10_000): Promise<JanusCall> {
  const ws = new WebSocket(url, "janus-protocol");
  const events: any[] = [];
  let waiter: (() => void) | undefined;
  ws.on("message", (data) => {
    events.push(JSON.parse(String(data)));
    waiter?.();
  });
  const next = (match: (event: any) => boolean, what: string) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`janus: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const at = events.findIndex(match);
        if (at < 0) return;
        clearTimeout(timer);
        waiter = undefined;
        const event = events.splice(at, 1)[0];
        if (event.janus === "error" || event.plugindata?.data?.error)
          reject(new Error(`janus ${what}: ${JSON.stringify(event.error ?? event.plugindata.data)}`));
        else resolve(event);
      };
      waiter = check;
      check();
    });
  let transaction = 0;
  const request = async (body: Record<string, unknown>, what: string, until?: (event: any) => boolean) => {
    const id = `t${++transaction}`;
    ws.send(JSON.stringify({ ...body, transaction: id }));
    // A plugin message is acked first; its result comes as an event (with the same transaction, or later without).
    return next(
      until
        ? (e) => e.janus === "event" && (until(e) || (e.transaction === id && e.plugindata?.data?.error !== undefined))
        : (e) => e.transaction === id && e.janus !== "ack",
      what,
    );
  };
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  try {
    const session = (await request({ janus: "create" }, "session")).data.id;
    const handle = (await request({ janus: "attach", session_id: session, plugin: "janus.plugin.sip" }, "handle")).data.id;
    const message = (body: Record<string, unknown>, what: string, result: string, jsep?: unknown) =>
      request(
        { janus: "message", session_id: session, handle_id: handle, body, ...(jsep ? { jsep } : {}) },
        what,
        (e) => e.plugindata?.data?.result?.event === result,
      );
    await message({ request: "register", type: "guest", username: `sip:bench-${session}@127.0.0.1` }, "guest registration", "registered");
    const accepted = await message({ request: "call", uri }, "accepted call", "accepted", { type: "offer", sdp: offer });
    return {
      answer: accepted.jsep.sdp,
      hangup: async () => {
        try {
          await message({ request: "hangup" }, "hangup", "hangup");
          await request({ janus: "destroy", session_id: session }, "destroy");
        } finally {
          ws.close();
        }
      },
    };
  } catch (error) {
    ws.close();
    throw error;
  }
}

function canConnect(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, "janus-protocol");
    ws.once("open", () => {
      ws.close();
      resolve(true);
    });
    ws.once("error", () => resolve(false));
  });
}
