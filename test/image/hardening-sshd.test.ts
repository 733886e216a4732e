// The sshd drop-in passes `sshd -t` inside Debian's stock sshd_config, and the effective configuration
// (`sshd -T`) is the dev-sec baseline, even when cloud-init's drop-in asks for passwords and root.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileHardeningFiles, sshdDropInPath } from "../../image/hardening/compile-hardening-files.ts";
import type { Recipe } from "../../dsl/resolve.ts";
import { requireBinary } from "../harness/require-binary.ts";
import { runTool } from "./require-tool.ts";
import { from, loadRecipe } from "./load-test-recipe.ts";

const workDir = mkdtempSync(join(tmpdir(), "rtcgw-sshd-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

// Debian's sshd_config with its Include pointed at a temp drop-in directory holding ours (and cloud-init's
// usual one), a host key generated for the test; returns `sshd -t` then `sshd -T` output.
async function effectiveConfig(recipe: Recipe, name: string): Promise<{ exitCode: number; settings: Map<string, string>; stderr: string }> {
  const sshd = requireBinary("sshd", "openssh-server");
  const dir = join(workDir, name);
  const dropIns = join(dir, "sshd_config.d");
  mkdirSync(dropIns, { recursive: true });
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const keygen = await runTool("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey], "openssh-client");
  assert.equal(keygen.exitCode, 0, keygen.stderr);
  const stock = readFileSync("/etc/ssh/sshd_config", "utf8");
  assert.match(stock, /^Include \/etc\/ssh\/sshd_config\.d\/\*\.conf$/m, "Debian's sshd_config includes its drop-in directory");
  writeFileSync(join(dir, "sshd_config"), `${stock.replace("/etc/ssh/sshd_config.d", dropIns)}\nHostKey ${hostKey}\n`);
  const dropIn = compileHardeningFiles(recipe, from).find((f) => f.path === sshdDropInPath)!;
  writeFileSync(join(dropIns, sshdDropInPath.split("/").at(-1)!), dropIn.content);
  writeFileSync(join(dropIns, "50-cloud-init.conf"), "PasswordAuthentication yes\nPermitRootLogin yes\n");
  // sshd wants its privilege separation directory; a private /run keeps the host untouched.
  const script = `mount -t tmpfs rtcgw-test /run && mkdir -m 0755 /run/sshd && ${sshd} -t -f '${dir}/sshd_config' && ${sshd} -T -f '${dir}/sshd_config' -C user=admin,host=client.example,addr=192.0.2.1`;
  const result = await runTool("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], "util-linux");
  const settings = new Map(
    result.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)]),
  );
  return { exitCode: result.exitCode, settings, stderr: result.stderr };
}

test("sshd -t accepts the drop-in and sshd -T shows the baseline", async () => {
  const { exitCode, settings, stderr } = await effectiveConfig(loadRecipe(), "default");
  assert.equal(exitCode, 0, stderr);
  const expected: Record<string, string> = {
    port: "22",
    allowusers: "admin",
    permitrootlogin: "no",
    passwordauthentication: "no",
    kbdinteractiveauthentication: "no",
    permitemptypasswords: "no",
    maxauthtries: "3",
    x11forwarding: "no",
    allowtcpforwarding: "no",
    allowagentforwarding: "no",
    permittunnel: "no",
    disableforwarding: "yes",
    authenticationmethods: "publickey",
    banner: "/etc/issue.net",
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(settings.get(key), value, key);
  const weak = /-cbc$|^hmac-sha1|^hmac-md5|^umac-64|^diffie-hellman-group1-|^diffie-hellman-group14-sha1$|-sha1$|^3des/;
  for (const key of ["ciphers", "macs", "kexalgorithms"]) {
    const offered = settings.get(key)!.split(",");
    assert.ok(offered.length > 0, key);
    for (const algorithm of offered) assert.doesNotMatch(algorithm, weak, `${key} offers ${algorithm}`);
  }
});

test("the recipe's SSH port reaches sshd; the minimal profile keeps the SSH baseline", async () => {
  const { exitCode, settings, stderr } = await effectiveConfig(
    loadRecipe((r) => ((r.image.ssh = { port: 2222 }), (r.image.hardening = "minimal"))),
    "minimal",
  );
  assert.equal(exitCode, 0, stderr);
  assert.equal(settings.get("port"), "2222");
  assert.equal(settings.get("permitrootlogin"), "no");
  assert.equal(settings.get("passwordauthentication"), "no");
  assert.equal(settings.get("maxauthtries"), "3");
  assert.equal(settings.get("banner"), "none");
});
