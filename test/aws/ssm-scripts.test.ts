import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { packBundle } from "../../image/builders/aws/pack-bundle.ts";
import { renderProvisionCommands, renderSmokeCommands } from "../../image/builders/aws/ssm-scripts.ts";
import { makeTempDir } from "../make-temp-dir.ts";
import { makeRecipe, testBundle } from "./fixtures.ts";

test("the bundle packs byte-for-byte the same every time, with paths and modes intact (checked by tar)", (t) => {
  const long = { path: `files/${"deep/".repeat(25)}file.conf`, content: "x\n" };
  const first = packBundle([...testBundle.files, long]);
  const second = packBundle([...testBundle.files].reverse().concat(long));
  assert.equal(first.sha256, second.sha256);
  const dir = makeTempDir(t, "rtcgw-pack-");
  writeFileSync(join(dir, "b.tar.gz"), first.tarGz);
  const listing = execFileSync("tar", ["-tvzf", join(dir, "b.tar.gz")], { encoding: "utf8" });
  assert.match(listing, /^-rwxr-xr-x root\/root .* provision\.sh$/m);
  assert.match(listing, /^-rw-r--r-- root\/root .* files\/etc\/rtcgw\/marker$/m);
  assert.ok(listing.includes(long.path), "a path over 100 characters uses the ustar prefix");
});

test("the provision script fetches the bundle by URL, checks its hash and runs provision.sh from the bundle root (real sh, curl, tar)", async (t) => {
  const bundle = packBundle([{ path: "provision.sh", content: `#!/bin/sh\nset -eu\ncat files/etc/rtcgw/marker > "$RTCGW_TEST_OUT"\n`, mode: 0o755 }, { path: "files/etc/rtcgw/marker", content: "from the bundle\n" }]);
  const server = createServer((req, res) => (req.url?.startsWith("/staging/b.tar.gz?X-Amz-Signature=") ? res.end(bundle.tarGz) : res.writeHead(403).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/staging/b.tar.gz?X-Amz-Signature=abc&X-Amz-Expires=3600`;
  const dir = makeTempDir(t, "rtcgw-prov-");
  const out = join(dir, "out.txt");
  try {
    const run = (commands: string[]) => new Promise<{ code: number; output: string }>((resolve) => {
      import("node:child_process").then(({ spawn }) => {
        const child = spawn("sh", ["-c", commands.join("\n")], { env: { ...process.env, RTCGW_TEST_OUT: out, TMPDIR: dir } });
        let output = "";
        child.stdout.on("data", (c: Buffer) => void (output += c));
        child.stderr.on("data", (c: Buffer) => void (output += c));
        child.on("close", (code) => resolve({ code: code ?? -1, output }));
      });
    });
    const ok = await run(renderProvisionCommands(url, bundle.sha256).map((c) => c.replace("/var/tmp/", `${dir}/`)));
    assert.equal(ok.code, 0, ok.output);
    assert.equal(readFileSync(out, "utf8"), "from the bundle\n");
    assert.match(ok.output, /provision finished/);
    rmSync(out);
    const tampered = await run(renderProvisionCommands(url, "0".repeat(64)).map((c) => c.replace("/var/tmp/", `${dir}/`)));
    assert.notEqual(tampered.code, 0, "a bundle whose hash does not match is not run");
    assert.equal(existsSync(out), false, "provision.sh did not run");
  } finally {
    server.close();
  }
});

test("the provision and smoke scripts pass shellcheck", (t) => {
  const dir = makeTempDir(t, "rtcgw-sc-");
  for (const [name, commands] of [["provision.sh", renderProvisionCommands("https://b.s3.us-east-1.amazonaws.com/k?X-Amz-Signature=a'b", "a".repeat(64))], ["smoke.sh", renderSmokeCommands(makeRecipe())]] as const) {
    writeFileSync(join(dir, name), `#!/bin/bash\n${commands.join("\n")}\n`);
    execFileSync("shellcheck", ["-s", "bash", join(dir, name)], { encoding: "utf8" });
  }
});
