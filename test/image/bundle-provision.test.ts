import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileBundle } from "../../image/bundle/compile-bundle.ts";
import { runTool } from "./require-tool.ts";
import { from, loadRecipe } from "./load-test-recipe.ts";

test("provision.sh and the shell scripts it installs pass shellcheck as POSIX sh", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-provision-"));
  try {
    const bundle = compileBundle(
      loadRecipe((r) => (r.image.packages = ["jq", "curl"])),
      from,
    );
    const scripts = bundle.files.filter((f) => f.content.startsWith("#!/bin/sh\n") || /^files\/etc\/profile\.d\/.*\.sh$/.test(f.path));
    assert.deepEqual(scripts.map((f) => f.path).sort(), ["files/etc/profile.d/60-rtcgw-shell.sh", "files/usr/libexec/rtcgw/start-rtpengine", "provision.sh"]);
    for (const file of scripts) {
      const path = join(dir, file.path.replaceAll("/", "_"));
      writeFileSync(path, file.content);
      const result = await runTool("shellcheck", ["--shell=sh", "--severity=style", path], "shellcheck");
      assert.equal(result.exitCode, 0, `${file.path}\n${result.stdout}${result.stderr}`);
      const dash = await runTool("dash", ["-n", path], "dash");
      assert.equal(dash.exitCode, 0, `${file.path}: ${dash.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("provision.sh installs every file under files/ with its mode, enables the units and starts nothing", () => {
  const bundle = compileBundle(loadRecipe(), from);
  const script = bundle.files.find((f) => f.path === "provision.sh")!.content;
  assert.match(script, /^#!\/bin\/sh\n/);
  assert.match(script, /^set -eu$/m);
  for (const file of bundle.files.filter((f) => f.path.startsWith("files/"))) {
    const mode = (file.mode ?? 0o644).toString(8).padStart(4, "0");
    assert.ok(script.includes(`place ${mode} '${file.path.slice("files/".length)}'`), file.path);
  }
  // The gateway's daemons, then the machine layer's (image/boot) and the units the bundle ships (none here: no agent).
  assert.match(
    script,
    /^systemctl enable 'nftables\.service' 'rtpengine-daemon\.service' 'kamailio\.service' 'ssh\.service' 'systemd-networkd\.service' 'systemd-resolved\.service' 'systemd-timesyncd\.service' 'rtcgw-ready\.service'$/m,
  );
  assert.match(script, /^systemctl disable 'e2scrub_reap\.service'$/m);
  assert.match(script, /^\tuseradd --create-home --shell \/bin\/bash --user-group 'admin'$/m);
  assert.doesNotMatch(script, /systemctl (start|restart|reload)|--now|service \S+ start|sysctl (-p|--system)/);
  assert.match(script, /exit 101/);
});
