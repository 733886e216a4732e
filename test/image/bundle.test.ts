import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { compileBundle } from "../../image/bundle/compile-bundle.ts";
import { generatedHeader } from "../../gateway/generated-file.ts";
import { from, loadRecipe } from "./load-test-recipe.ts";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

test("bundle.json lists every other file with its mode and sha256, and the hash", () => {
  const bundle = compileBundle(loadRecipe(), from);
  const manifestFile = bundle.files.find((f) => f.path === "bundle.json");
  assert.ok(manifestFile);
  const manifest = JSON.parse(manifestFile.content);
  const others = bundle.files.filter((f) => f.path !== "bundle.json");
  assert.deepEqual(
    manifest.files.map((f: { path: string }) => f.path),
    others.map((f) => f.path),
  );
  for (const file of others) {
    const listed = manifest.files.find((f: { path: string }) => f.path === file.path);
    assert.equal(listed.sha256, sha256(file.content), file.path);
    assert.equal(listed.mode, (file.mode ?? 0o644).toString(8).padStart(4, "0"), file.path);
  }
  assert.equal(manifest.hash, bundle.hash);
  assert.match(bundle.hash, /^[0-9a-f]{64}$/);
  assert.equal(manifest.generatedBy, generatedHeader(from, "#").slice(2));
  assert.equal(manifest.base, "debian-13-amd64");
  for (const pkg of [
    "kamailio",
    "kamailio-websocket-modules",
    "kamailio-tls-modules",
    "kamailio-extra-modules",
    "kamailio-utils-modules",
    "rtpengine-daemon",
    "nftables",
    "openssh-server",
    "unattended-upgrades",
    "nodejs",
  ]) {
    assert.ok(manifest.packages.includes(pkg), pkg);
  }
});

test("the bundle holds provision.sh and the gateway and hardening files under files/", () => {
  const paths = compileBundle(loadRecipe(), from).files.map((f) => f.path);
  for (const path of [
    "provision.sh",
    "files/etc/rtpengine/rtpengine.conf",
    "files/etc/nftables.conf",
    "files/etc/systemd/system/kamailio.service.d/50-rtcgw.conf",
    "files/etc/systemd/system/rtpengine-daemon.service.d/50-rtcgw.conf",
    "files/etc/ssh/sshd_config.d/10-rtcgw.conf",
    "files/etc/sysctl.d/99-zz-rtcgw.conf",
    "files/etc/modprobe.d/60-rtcgw.conf",
  ]) {
    assert.ok(paths.includes(path), path);
  }
  assert.deepEqual(paths, [...paths].sort());
});

test("compiling twice gives byte-identical trees and hashes", () => {
  const a = compileBundle(loadRecipe(), from);
  const b = compileBundle(loadRecipe(), from);
  assert.equal(a.hash, b.hash);
  assert.deepEqual(a.files, b.files);
});

test("changing one recipe field, an extra file or the base changes the hash", () => {
  const base = compileBundle(loadRecipe(), from).hash;
  const variants = {
    rtp: compileBundle(
      loadRecipe((r) => (r.gateway.listen.rtp = "20000-21000")),
      from,
    ).hash,
    sshPort: compileBundle(
      loadRecipe((r) => (r.image.ssh.port = 2222)),
      from,
    ).hash,
    package: compileBundle(
      loadRecipe((r) => (r.image.packages = ["jq"])),
      from,
    ).hash,
    arch: compileBundle(withArm64(loadRecipe()), from).hash,
    extra: compileBundle(loadRecipe(), from, [{ path: "files/usr/lib/rtcgw/agent.mjs", content: "export {};\n", mode: 0o644 }]).hash,
    extraMode: compileBundle(loadRecipe(), from, [{ path: "files/usr/lib/rtcgw/agent.mjs", content: "export {};\n", mode: 0o755 }]).hash,
  };
  for (const [name, hash] of Object.entries(variants)) assert.notEqual(hash, base, name);
  assert.notEqual(variants.extra, variants.extraMode);
});

test("every generated file starts with the header; recipe files and banners are verbatim", () => {
  const bundle = compileBundle(
    loadRecipe((r) => (r.image.files = [{ path: "/etc/motd", content: "hello\n" }])),
    from,
  );
  const header = generatedHeader(from, "#");
  const headerSlashes = generatedHeader(from, "//");
  for (const file of bundle.files) {
    if (["bundle.json", "files/etc/motd", "files/etc/issue", "files/etc/issue.net"].includes(file.path)) continue;
    const lines = file.content.split("\n");
    const first = lines[0]!.startsWith("#!") ? lines[1] : lines[0];
    assert.ok(first === header || first === headerSlashes, `${file.path} starts with ${first}`);
  }
  assert.equal(bundle.files.find((f) => f.path === "files/etc/motd")?.content, "hello\n");
});

test("extra files keep their bundle paths, units they ship are enabled, collisions fail", () => {
  const unit = "[Unit]\nDescription=first boot\n[Service]\nType=oneshot\nExecStart=/usr/bin/true\n[Install]\nWantedBy=multi-user.target\n";
  const bundle = compileBundle(loadRecipe(), from, [
    { path: "files/etc/systemd/system/rtcgw-firstboot.service", content: unit },
    { path: "files/usr/lib/rtcgw/agent.mjs", content: "export {};\n", mode: 0o755 },
  ]);
  const script = bundle.files.find((f) => f.path === "provision.sh")!.content;
  assert.match(script, /^place 0755 'usr\/lib\/rtcgw\/agent\.mjs'$/m);
  assert.match(script, /^systemctl enable .*'rtcgw-firstboot\.service'/m);
  assert.throws(() => compileBundle(loadRecipe(), from, [{ path: "files/etc/nftables.conf", content: "" }]), /files\/etc\/nftables\.conf/);
});

// arm64 is refused by check until it is boot-tested (issue 13), but the bundle already follows the architecture.
function withArm64(recipe: ReturnType<typeof loadRecipe>): ReturnType<typeof loadRecipe> {
  return { ...recipe, image: { ...recipe.image, arch: "arm64" } };
}
