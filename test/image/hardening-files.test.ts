// The hardening files: sysctl keys the kernel knows (network ones really applied in a private network
// namespace), IPv6 left on, modules refused, and the profile deciding how much is applied.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileHardeningFiles } from "../../image/hardening/compile-hardening-files.ts";
import { compileBundle } from "../../image/bundle/compile-bundle.ts";
import { generatedHeader } from "../../gateway/generated-file.ts";
import { runTool } from "./require-tool.ts";
import { from, loadRecipe } from "./load-test-recipe.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-hardening-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

const sysctlLines = (content: string) =>
  content
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [key, value] = line.split(" = ");
      return { key: key!.replace(/^-/, ""), value: value!, optional: key!.startsWith("-") };
    });

const sysctlFile = (hardening: "cis-l1" | "minimal") =>
  compileHardeningFiles(
    loadRecipe((r) => (r.image.hardening = hardening)),
    from,
  ).find((f) => f.path === "etc/sysctl.d/99-zz-rtcgw.conf")!.content;

test("every required sysctl key exists on this kernel (sysctl -N); optional ones carry systemd's '-' prefix", async () => {
  const lines = sysctlLines(sysctlFile("cis-l1"));
  assert.ok(lines.length >= 30, `${lines.length} settings`);
  for (const { key, optional } of lines) {
    const result = await runTool("sysctl", ["-N", key], "procps");
    if (!optional) assert.equal(result.exitCode, 0, `${key}: ${result.stderr}`);
  }
  const unknown = await runTool("sysctl", ["-N", "net.ipv4.no_such_key"], "procps");
  assert.notEqual(unknown.exitCode, 0, "sysctl -N fails on an unknown key");
});

test("the network settings apply in a private network namespace and read back", async () => {
  const network = sysctlLines(sysctlFile("cis-l1")).filter((s) => /^net\.ipv[46]\./.test(s.key));
  const file = join(workDir, "net.conf");
  writeFileSync(file, network.map((s) => `${s.key} = ${s.value}\n`).join(""));
  const readBack = network.map((s) => `sysctl -n ${s.key}`).join(" && ");
  const result = await runTool("unshare", ["--net", "sh", "-c", `sysctl -q -p '${file}' && ${readBack}`], "util-linux");
  assert.equal(result.exitCode, 0, result.stderr);
  assert.deepEqual(
    result.stdout.trim().split("\n"),
    network.map((s) => s.value),
  );
});

test("IPv6 stays on: nothing disables it or refuses router advertisements", () => {
  for (const profile of ["cis-l1", "minimal"] as const) {
    const content = sysctlFile(profile);
    assert.doesNotMatch(content, /disable_ipv6/);
    assert.doesNotMatch(content, /accept_ra\s*=\s*0/);
    assert.match(content, /^net\.ipv6\.conf\.all\.accept_redirects = 0$/m);
  }
});

test("cis-l1 refuses unused filesystems and protocols; minimal ships no modprobe file", () => {
  const cis = compileHardeningFiles(loadRecipe(), from);
  const modprobe = cis.find((f) => f.path === "etc/modprobe.d/60-rtcgw.conf")!.content;
  for (const module of ["cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "udf", "usb-storage", "dccp", "sctp", "rds", "tipc"]) {
    assert.match(modprobe, new RegExp(`^install ${module} /bin/true$`, "m"));
    assert.match(modprobe, new RegExp(`^blacklist ${module}$`, "m"));
  }
  const minimal = compileHardeningFiles(
    loadRecipe((r) => (r.image.hardening = "minimal")),
    from,
  ).map((f) => f.path);
  assert.deepEqual(minimal.sort(), [
    "etc/apt/apt.conf.d/20auto-upgrades",
    "etc/apt/apt.conf.d/52rtcgw-unattended-upgrades",
    "etc/ssh/sshd_config.d/10-rtcgw.conf",
    "etc/sysctl.d/99-zz-rtcgw.conf",
    "etc/systemd/timesyncd.conf.d/60-rtcgw.conf",
  ]);
  assert.ok(sysctlLines(sysctlFile("minimal")).length < sysctlLines(sysctlFile("cis-l1")).length);
});

test("cis-l1: umask 027, banners without OS details, no core dumps, unattended security upgrades", () => {
  const files = new Map(compileHardeningFiles(loadRecipe(), from).map((f) => [f.path, f.content]));
  assert.match(files.get("etc/profile.d/60-rtcgw-shell.sh")!, /^umask 027$/m);
  assert.match(files.get("etc/profile.d/60-rtcgw-shell.sh")!, /^TMOUT=900\nreadonly TMOUT\nexport TMOUT$/m);
  assert.match(files.get("etc/security/limits.d/60-rtcgw.conf")!, /^\* hard core 0$/m);
  assert.match(files.get("etc/systemd/coredump.conf.d/60-rtcgw.conf")!, /^Storage=none\nProcessSizeMax=0$/m);
  assert.match(files.get("etc/profile.d/60-rtcgw-shell.sh")!, /^ulimit -c 0$/m);
  for (const banner of ["etc/issue", "etc/issue.net"]) {
    assert.doesNotMatch(files.get(banner)!, /\\[mrsv]|Debian|GNU/, banner);
    assert.match(files.get(banner)!, /Authorized access only/);
  }
  assert.match(files.get("etc/apt/apt.conf.d/20auto-upgrades")!, /^APT::Periodic::Unattended-Upgrade "1";$/m);
  assert.ok(files.get("etc/apt/apt.conf.d/20auto-upgrades")!.startsWith(generatedHeader(from, "//")));
  const script = compileBundle(loadRecipe(), from).files.find((f) => f.path === "provision.sh")!.content;
  assert.match(script, /^set_login_defs 'UMASK' '027'$/m);
  const minimalScript = compileBundle(
    loadRecipe((r) => (r.image.hardening = "minimal")),
    from,
  ).files.find((f) => f.path === "provision.sh")!.content;
  assert.doesNotMatch(minimalScript, /set_login_defs '/);
});

test("time sync (Amazon Time Sync, then Debian's pool) for both profiles; AppArmor's userspace for cis-l1", () => {
  for (const profile of ["cis-l1", "minimal"] as const) {
    const files = compileHardeningFiles(
      loadRecipe((r) => (r.image.hardening = profile)),
      from,
    );
    const timesyncd = files.find((f) => f.path === "etc/systemd/timesyncd.conf.d/60-rtcgw.conf")!.content;
    assert.match(timesyncd, /^\[Time\]\nNTP=169\.254\.169\.123 fd00:ec2::123 0\.debian\.pool\.ntp\.org /m);
  }
  const packages = (profile: "cis-l1" | "minimal") =>
    JSON.parse(
      compileBundle(
        loadRecipe((r) => (r.image.hardening = profile)),
        from,
      ).files.find((f) => f.path === "bundle.json")!.content,
    ).packages;
  for (const pkg of ["apparmor", "libpam-pwquality", "libpam-tmpdir", "debsums"]) assert.ok(packages("cis-l1").includes(pkg), pkg);
  assert.ok(!packages("minimal").includes("apparmor"));
  const script = compileBundle(loadRecipe(), from).files.find((f) => f.path === "provision.sh")!.content;
  assert.match(script, /dpkg-query -W .* 'chrony' .*'systemd-timesyncd' .*\n\tset -- "\$@" systemd-timesyncd\n/);
});

test("apt parses the unattended-upgrades settings (apt-config dump)", async () => {
  const files = compileHardeningFiles(loadRecipe(), from).filter((f) => f.path.startsWith("etc/apt/apt.conf.d/"));
  assert.equal(files.length, 2);
  const dumped: string[] = [];
  for (const file of files) {
    const path = join(workDir, file.path.split("/").at(-1)!);
    writeFileSync(path, file.content);
    const result = await runTool("apt-config", ["-c", path, "dump"], "apt");
    assert.equal(result.exitCode, 0, `${file.path}: ${result.stderr}`);
    dumped.push(result.stdout);
  }
  const all = dumped.join("\n");
  for (const line of ['APT::Periodic::Unattended-Upgrade "1";', 'APT::Periodic::Update-Package-Lists "1";', 'Unattended-Upgrade::Automatic-Reboot "false";']) {
    assert.ok(all.includes(line), line);
  }
  const broken = join(workDir, "broken.conf");
  writeFileSync(broken, 'Unattended-Upgrade::Automatic-Reboot "false"\n');
  assert.notEqual((await runTool("apt-config", ["-c", broken, "dump"], "apt")).exitCode, 0, "apt-config rejects a missing semicolon");
});
