// The compiled drop-ins load cleanly on top of Debian's own kamailio, rtpengine and ssh units
// (`systemd-analyze verify`), order the daemons after first boot and confine them.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compileSystemdUnits } from "../../gateway/systemd/compile-systemd-units.ts";
import { compileRtpengineConfig, rtpengineStartScriptPath } from "../../gateway/rtpengine/compile-rtpengine-config.ts";
import type { GeneratedFile } from "../../gateway/generated-file.ts";
import { runTool } from "../image/require-tool.ts";
import { from, loadRecipe } from "../image/load-test-recipe.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-systemd-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

const debianUnits: Record<string, string> = { "kamailio.service": "kamailio", "rtpengine-daemon.service": "rtpengine-daemon", "ssh.service": "openssh-server" };

// A unit directory: Debian's packaged units plus our drop-ins; the start script sits in the temp dir and
// ExecStart points there (the image has it at /usr/libexec/rtcgw, this machine does not).
function writeUnitDirectory(name: string, dropIns: GeneratedFile[]): string {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const script = join(dir, "start-rtpengine");
  writeFileSync(script, compileRtpengineConfig(loadRecipe(), from).find((f) => f.path === rtpengineStartScriptPath)!.content, { mode: 0o755 });
  for (const [unit, debianPackage] of Object.entries(debianUnits)) {
    try {
      copyFileSync(join("/lib/systemd/system", unit), join(dir, unit));
    } catch {
      throw new Error(`/lib/systemd/system/${unit} is missing: apt-get install -y ${debianPackage}`);
    }
  }
  for (const file of dropIns) {
    const path = join(dir, file.path.replace(/^etc\/systemd\/system\//, ""));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content.replaceAll(`/${rtpengineStartScriptPath}`, script));
  }
  return dir;
}

async function verifyUnits(dir: string) {
  const units = Object.keys(debianUnits).map((unit) => join(dir, unit));
  const previous = process.env.SYSTEMD_UNIT_PATH;
  process.env.SYSTEMD_UNIT_PATH = `${dir}:`;
  try {
    return await runTool("systemd-analyze", ["verify", "--man=no", ...units], "systemd");
  } finally {
    if (previous === undefined) delete process.env.SYSTEMD_UNIT_PATH;
    else process.env.SYSTEMD_UNIT_PATH = previous;
  }
}

test("drop-ins for kamailio, rtpengine-daemon and ssh", () => {
  assert.deepEqual(
    compileSystemdUnits(loadRecipe(), from).map((f) => f.path),
    ["kamailio.service", "rtpengine-daemon.service", "ssh.service"].map((unit) => `etc/systemd/system/${unit}.d/50-rtcgw.conf`),
  );
});

test("systemd-analyze verify accepts Debian's units with the drop-ins, without a warning", async () => {
  const result = await verifyUnits(writeUnitDirectory("good", compileSystemdUnits(loadRecipe(), from)));
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stderr.trim(), "");
});

test("the verify harness does notice a broken drop-in (so the test above can fail)", async () => {
  const broken = compileSystemdUnits(loadRecipe(), from).map((f) => ({ ...f, content: f.content.replace("ProtectSystem=full", "ProtectSystem=sometimes") }));
  const result = await verifyUnits(writeUnitDirectory("broken", broken));
  assert.match(result.stderr, /kamailio\.service\.d\/50-rtcgw\.conf:\d+: .*protect system value/i);
});

test("daemons start after first boot, read runtime.env (rtpengine), and run confined", () => {
  const [kamailio, rtpengine, ssh] = compileSystemdUnits(loadRecipe(), from).map((f) => f.content);
  for (const unit of [kamailio!, rtpengine!]) {
    assert.match(unit, /^After=rtcgw-firstboot\.service /m);
    assert.match(unit, /^Wants=rtcgw-firstboot\.service$/m);
    for (const line of ["NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes", "ProtectKernelModules=yes", "RestrictSUIDSGID=yes"]) {
      assert.match(unit, new RegExp(`^${line}$`, "m"));
    }
  }
  assert.match(kamailio!, /^CapabilityBoundingSet=$/m, "443 belongs to the agent: kamailio of the default recipe needs no capability");
  assert.match(rtpengine!, /^EnvironmentFile=-\/etc\/rtcgw\/runtime\.env$/m);
  assert.match(rtpengine!, /^ExecStart=\n^ExecStart=\/usr\/libexec\/rtcgw\/start-rtpengine --foreground /m);
  assert.match(rtpengine!, /^ExecStartPre=$/m, "the iptables setup of the kernel table is cleared");
  assert.match(ssh!, /^ExecStartPre=\nExecStartPre=\/usr\/bin\/ssh-keygen -A\nExecStartPre=\/usr\/sbin\/sshd -t$/m);
});
