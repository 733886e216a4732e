// The runtime defines file, imported by a real Kamailio before its own #!trydef defaults: the file wins
// over the defaults, and `-A NAME=value` (tests) wins over the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderKamailioDefines } from "../../gateway/agent/firstboot/render-runtime-settings.ts";
import { findFreePort } from "./agent-kamailio.ts";

async function printDefines(dir: string, extra: string[]): Promise<string> {
  const port = await findFreePort();
  const cfg = join(dir, "kamailio.cfg");
  await writeFile(
    cfg,
    `#!KAMAILIO
import_file "${join(dir, "kamailio-runtime.cfg")}"
#!trydef RTCGW_MAX_CALL_SECONDS 30
#!trydef RTCGW_MAX_PARALLEL_CALLS 10
#!trydef RTCGW_PUBLIC_IPV4 127.0.0.1
children=1
log_stderror=yes
listen=udp:127.0.0.1:${port} advertise RTCGW_PUBLIC_IPV4:${port}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "dialog.so"
modparam("dialog", "default_timeout", RTCGW_MAX_CALL_SECONDS)
event_route[core:worker-one-init] {
	$var(limit) = RTCGW_MAX_CALL_SECONDS;
	xlog("L_ERR", "limits: $var(limit) $def(RTCGW_MAX_PARALLEL_CALLS) $def(RTCGW_LICENSED)\\n");
}
request_route { drop; }
`,
  );
  // Kamailio keeps running: give it 2.5 s, then the timeout ends it (it printed by then).
  return new Promise((resolve) => {
    execFile("kamailio", ["-f", cfg, "-DD", "-E", "-Y", dir, "-w", dir, "-m", "16", "-M", "4", ...extra], { timeout: 2500 }, (_error, stdout, stderr) =>
      resolve(stdout + stderr),
    );
  });
}

test("Kamailio takes the limits from the runtime file, and -A overrides them", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rtcgw-agent-defines-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, "kamailio-runtime.cfg"),
    renderKamailioDefines({
      identity: { instanceId: "i-0123456789abcdef0", region: "us-east-1", localIpv4: "127.0.0.1", publicIpv4: "203.0.113.45" },
      limits: { mode: "licensed", maxCallSeconds: 3600, maxParallelCalls: 100, summary: "" },
      advertise: undefined,
    }),
  );
  const fromFile = await printDefines(dir, []);
  assert.match(fromFile, /limits: 3600 100 1\b/, fromFile);
  assert.match(fromFile, /advertise 203\.0\.113\.45:/, "the public address replaced the token");
  const overridden = await printDefines(dir, ["-A", "RTCGW_MAX_CALL_SECONDS=7"]);
  assert.match(overridden, /limits: 7 100 1\b/, overridden);
});
