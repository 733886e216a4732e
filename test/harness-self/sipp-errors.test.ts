// The harness reads why sipp aborted calls from sipp's own error log: a benchmark step with failed calls then
// says what failed (the response that came, or that nothing came) instead of a bare count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { findFreePorts } from "../harness/free-ports.ts";
import { sippScenario, startSipp, summarizeSippErrors } from "../harness/sipp.ts";
import { makeTempDir } from "../make-temp-dir.ts";

// A UDP "proxy" that refuses every INVITE with 503, as an overloaded gateway does.
async function startRefuser(port: number) {
  const socket = createSocket("udp4");
  socket.on("message", (message, from) => {
    const text = message.toString();
    if (!text.startsWith("INVITE ")) return;
    const header = (name: string) => new RegExp(`^${name}:.*$`, "mi").exec(text)?.[0] ?? "";
    const reply = [
      "SIP/2.0 503 Service Unavailable",
      header("Via"),
      header("From"),
      `${header("To")};tag=refuser`,
      header("Call-ID"),
      header("CSeq"),
      "Content-Length: 0",
      "",
      "",
    ];
    socket.send(reply.join("\r\n"), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
  return socket;
}

test("sipp's failed calls are counted by reason: the response that came, or no answer at all", { timeout: 60_000 }, async (t) => {
  const workDir = makeTempDir(t, "rtcgw-sipp-errors-");
  const [refuserPort, silentPort, callerPort, secondCallerPort] = await findFreePorts(4);
  const refuser = await startRefuser(refuserPort!);
  t.after(() => refuser.close());
  // A caller from 127.0.0.1:`localPort` placing `calls` calls to `remote`.
  const call = (name: string, localPort: number, remote: number, calls: number, extraArgs: string[]) =>
    startSipp({
      name,
      workDir,
      scenario: sippScenario("uac-call.xml"),
      localAddress: "127.0.0.1",
      localPort,
      remote: `127.0.0.1:${remote}`,
      rtp: { address: "127.0.0.1", port: 9 },
      keys: { domain: "example.test" },
      calls,
      extraArgs: ["-s", "bob", ...extraArgs],
    });
  const refused = await call("refused", callerPort!, refuserPort!, 3, ["-r", "10"]);
  // Nothing listens on silentPort: sipp gives up after one retransmission of the INVITE.
  const unanswered = await call("unanswered", secondCallerPort!, silentPort!, 1, ["-max_retrans", "1"]);
  await Promise.all([refused.process.exited, unanswered.process.exited]);

  assert.deepEqual(summarizeSippErrors(refused.errors()), [{ reason: "503 Service Unavailable", calls: 3 }], refused.errors());
  assert.deepEqual(summarizeSippErrors(unanswered.errors()), [{ reason: "UDP retransmission timeout", calls: 1 }], unanswered.errors());
  assert.deepEqual(summarizeSippErrors(""), []);
});
