import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { packBundle } from "../../image/builders/aws/pack-bundle.ts";
import { renderArmSealCommands, renderSealScript, renderSealUnit, sealUnitName } from "../../image/builders/aws/seal-at-stop.ts";
import { renderSsmAgentUserData } from "../../image/builders/aws/ssm-agent-user-data.ts";
import { renderProvisionCommands, renderSmokeCommands } from "../../image/builders/aws/ssm-scripts.ts";
import { createSelfSignedCertificate } from "../harness/tls-certificate.ts";
import { makeTempDir } from "../make-temp-dir.ts";
import { makeRecipe, testBundle } from "./fixtures.ts";
import { runScript, stubCommands } from "./run-shell.ts";

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

test("the provision script fetches the bundle by URL, checks its hash and runs provision.sh from the bundle root; on exit, success or failure, it uploads its whole output to the presigned PUT URL (real sh, curl, tar)", async (t) => {
  const bundle = packBundle([
    { path: "provision.sh", content: `#!/bin/sh\nset -eu\ncat files/etc/rtcgw/marker > "$RTCGW_TEST_OUT"\necho 'provision.sh: done' >&2\n`, mode: 0o755 },
    { path: "files/etc/rtcgw/marker", content: "from the bundle\n" },
  ]);
  const uploads: { url: string; body: string }[] = [];
  const state = { refuseUploads: false };
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url?.startsWith("/staging/b.tar.gz?X-Amz-Signature=")) return void res.end(bundle.tarGz);
    if (req.method !== "PUT" || !req.url?.startsWith("/logs/b/provision.log?X-Amz-Signature=")) return void res.writeHead(403).end();
    const chunks: Buffer[] = [];
    req
      .on("data", (c: Buffer) => chunks.push(c))
      .on("end", () => {
        if (!state.refuseUploads) uploads.push({ url: req.url!, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(state.refuseUploads ? 403 : 200).end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}/staging/b.tar.gz?X-Amz-Signature=abc&X-Amz-Expires=3600`;
  const logUrl = `${base}/logs/b/provision.log?X-Amz-Signature=def&X-Amz-Expires=8100&x='q'`;
  const dir = makeTempDir(t, "rtcgw-prov-");
  const out = join(dir, "out.txt");
  try {
    const run = (commands: string[]) =>
      runScript(commands.join("\n").replaceAll("/var/tmp/", `${dir}/`).replaceAll("/run/", `${dir}/run/`), { RTCGW_TEST_OUT: out, TMPDIR: dir });
    mkdirSync(join(dir, "run"));
    const ok = await run(renderProvisionCommands(url, bundle.sha256, logUrl));
    assert.equal(ok.code, 0, ok.output);
    assert.equal(readFileSync(out, "utf8"), "from the bundle\n");
    assert.match(ok.output, /provision finished/);
    assert.match(ok.output, /provision\.sh: done/, "the output still reaches SSM (stdout and stderr)");
    assert.equal(uploads.length, 1, ok.output);
    assert.equal(uploads[0]!.url, logUrl.slice(base.length), "the URL went out exactly as presigned (quotes and all)");
    assert.match(uploads[0]!.body, /provision\.sh: done\n[^]*rtcgw: provision finished\n$/, "the log holds stdout and stderr, to the end");
    assert.deepEqual(readdirSync(join(dir, "run")), [], "the log is gone from /run once uploaded");
    rmSync(out);
    const tampered = await run(renderProvisionCommands(url, "0".repeat(64), logUrl));
    assert.notEqual(tampered.code, 0, "a bundle whose hash does not match is not run");
    assert.equal(existsSync(out), false, "provision.sh did not run");
    assert.equal(uploads.length, 2, "a failed run uploads its log too");
    assert.match(uploads[1]!.body, /FAILED/, "with the failure in it");
    state.refuseUploads = true;
    const refused = await run(renderProvisionCommands(url, bundle.sha256, logUrl));
    assert.equal(refused.code, 0, "a refused upload does not fail the command");
    assert.match(refused.output, /rtcgw: the full log could not be uploaded to S3/);
    assert.deepEqual(readdirSync(join(dir, "run")), []);
  } finally {
    server.close();
  }
});

test("the provision (with the seal's arming), smoke, seal and user-data scripts pass shellcheck as POSIX sh and parse with dash", (t) => {
  const dir = makeTempDir(t, "rtcgw-sc-");
  const recipe = makeRecipe();
  const bound = { ...recipe, gateway: { ...recipe.gateway, listen: { ...recipe.gateway.listen, address: "10.0.0.5" } } };
  const logUrl = "https://b.s3.us-east-1.amazonaws.com/logs/x/smoke.log?X-Amz-Signature=c'd&X-Amz-Expires=60";
  const scripts = {
    "provision.sh": `#!/bin/sh\n${[...renderProvisionCommands("https://b.s3.us-east-1.amazonaws.com/k?X-Amz-Signature=a'b", "a".repeat(64), logUrl), ...renderArmSealCommands()].join("\n")}\n`,
    "smoke.sh": `#!/bin/sh\n${renderSmokeCommands(recipe, logUrl).join("\n")}\n`,
    "smoke-bound.sh": `#!/bin/sh\n${renderSmokeCommands(bound, logUrl).join("\n")}\n`,
    "seal.sh": renderSealScript(),
    "user-data.sh": renderSsmAgentUserData("eu-west-1", "arm64"),
  };
  for (const [name, content] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), content);
    execFileSync("shellcheck", ["-s", "sh", join(dir, name)], { encoding: "utf8" });
    execFileSync("dash", ["-n", join(dir, name)], { encoding: "utf8" });
  }
});

test("arming the seal writes its script and unit under /run only and starts the unit; nothing is removed while the SSM command runs (real sh)", async (t) => {
  const dir = makeTempDir(t, "rtcgw-arm-");
  const bin = stubCommands(dir, { systemctl: 'echo "systemctl $*" >> "$RTCGW_TEST_LOG"' });
  const commands = renderArmSealCommands();
  const heads = commands.map((c) => c.split("\n")[0]!); // heredoc bodies are the script and the unit, checked below
  const targets = heads.flatMap((c) => /^(?:cat > |install -d -m \d+ |chmod \d+ )(\S+)/.exec(c)?.[1] ?? []);
  assert.ok(
    targets.length === 5 && targets.every((p) => p.startsWith("/run/")),
    `the arming writes under /run (a tmpfs, not in the image) only: ${targets.join(" ")}`,
  );
  assert.ok(
    heads.every((c) => !/\brm\b/.test(c)),
    "the arming removes nothing",
  );
  const run = await runScript(["set -eu", ...commands].join("\n").replaceAll("/run/", `${dir}/run/`), {
    PATH: `${bin}:${process.env.PATH}`,
    RTCGW_TEST_LOG: join(dir, "log"),
  });
  assert.equal(run.code, 0, run.output);
  assert.equal(readFileSync(join(dir, "run/rtcgw-seal/seal.sh"), "utf8"), renderSealScript().replaceAll("/run/", `${dir}/run/`));
  const unit = readFileSync(join(dir, `run/systemd/system/${sealUnitName}`), "utf8");
  assert.equal(unit, renderSealUnit().replaceAll("/run/", `${dir}/run/`));
  assert.match(unit, /^Before=.*\bamazon-ssm-agent\.service\b/m, "the unit stops (and seals) after the SSM agent stopped");
  assert.match(unit, /^ExecStop=\/bin\/sh \S+\/run\/rtcgw-seal\/seal\.sh \/$/m);
  assert.equal(readFileSync(join(dir, "log"), "utf8"), `systemctl daemon-reload\nsystemctl start ${sealUnitName}\n`);
});

test("the smoke script, run for real against stand-ins: OPTIONS to the address first boot wrote (with rport), 401 at /, 200 at /tryit/, the seal and IMDS checks", async (t) => {
  const dir = makeTempDir(t, "rtcgw-smoke-");
  // Kamailio's stand-in binds 127.0.0.2 only (the instance's private address), answers 100 then 200, and like Kamailio
  // sends its answers to the Via's port unless the Via asks for `rport`.
  const vias: string[] = [];
  const sip = createSocket("udp4");
  sip.on("message", (message, from) => {
    const via = /^Via: SIP\/2\.0\/UDP ([^:;]+):(\d+)([^\r]*)/m.exec(message.toString())!;
    vias.push(via[0]);
    const port = /;rport\b/.test(via[3]!) ? from.port : Number(via[2]);
    for (const status of ["100 Trying", "200 OK"]) sip.send(`SIP/2.0 ${status}\r\n${via[0]}\r\nContent-Length: 0\r\n\r\n`, port, from.address);
  });
  await new Promise<void>((resolve) => sip.bind(0, "127.0.0.2", resolve));
  const state = { adminOpen: false };
  const tls = createSelfSignedCertificate(dir);
  const https = createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, (req, res) => {
    if (req.url === "/tryit/") return void res.end("<!doctype html>");
    res.writeHead(state.adminOpen ? 200 : 401).end();
  });
  await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
  const smokeLogs: string[] = [];
  const imds = createServer((req, res) => {
    if (req.method === "PUT" && req.url?.startsWith("/logs/b/smoke.log?")) {
      const chunks: Buffer[] = [];
      return void req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => (smokeLogs.push(Buffer.concat(chunks).toString("utf8")), res.end()));
    }
    if (req.method === "PUT" && req.url === "/latest/api/token") return void res.end("token-1");
    if (req.headers["x-aws-ec2-metadata-token"] !== "token-1") return void res.writeHead(401).end();
    res.end(req.url === "/latest/meta-data/instance-id" ? "i-0smoke" : "");
  });
  await new Promise<void>((resolve) => imds.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    sip.close();
    https.close();
    imds.close();
  });
  const recipe = makeRecipe();
  const listen = {
    ...recipe.gateway.listen,
    sip: { ...recipe.gateway.listen.sip, ports: { from: sip.address().port, to: sip.address().port } },
    wss: { port: (https.address() as AddressInfo).port },
  };
  const logUrl = `http://127.0.0.1:${(imds.address() as AddressInfo).port}/logs/b/smoke.log?X-Amz-Signature=s`;
  mkdirSync(join(dir, "run"));
  const script = renderSmokeCommands({ ...recipe, gateway: { ...recipe.gateway, listen } }, logUrl)
    .join("\n")
    .replaceAll("/run/", `${dir}/run/`)
    .replaceAll("/etc/rtcgw/runtime.env", join(dir, "runtime.env"))
    .replaceAll("/root/.bash_history", join(dir, "bash_history"))
    .replaceAll("/var/lib/apt/lists", join(dir, "lists"))
    .replaceAll("/var/lib/amazon/ssm/", `${join(dir, "ssm")}/`)
    .replaceAll("http://169.254.169.254", `http://127.0.0.1:${(imds.address() as AddressInfo).port}`);
  writeFileSync(
    join(dir, "runtime.env"),
    "# written by rtcgw-firstboot at every boot, do not edit\nRTCGW_INSTANCE_ID=i-0smoke\nRTCGW_LOCAL_IPV4=127.0.0.2\nRTCGW_PUBLIC_IPV4=203.0.113.7\n",
  );
  mkdirSync(join(dir, "lists/partial"), { recursive: true });
  writeFileSync(join(dir, "lists/lock"), "");
  mkdirSync(join(dir, "ssm/i-0smoke"), { recursive: true });
  const bin = stubCommands(dir, {
    systemctl: 'case "$1" in is-system-running) echo running ;; is-active) [ "$3" != "$RTCGW_TEST_INACTIVE" ] ;; *) echo "$*" ;; esac',
  });
  const smoke = (env: Record<string, string> = {}) => runScript(script, { PATH: `${bin}:${process.env.PATH}`, RTCGW_TEST_INACTIVE: "", ...env });

  const passed = await smoke();
  assert.equal(passed.code, 0, passed.output);
  assert.match(passed.output, /smoke: SIP OPTIONS to 127\.0\.0\.2:\d+ answered SIP\/2\.0 200 OK/);
  assert.match(passed.output, /rtcgw: smoke passed$/m);
  assert.match(vias[0]!, /^Via: SIP\/2\.0\/UDP 127\.0\.0\.\d+:\d+;branch=z9hG4bK\w+;rport$/);
  assert.match(smokeLogs.at(-1) ?? "", /smoke: SIP OPTIONS to [^]*rtcgw: smoke passed\n$/, "the whole output was uploaded as the script exited");

  const inactive = await smoke({ RTCGW_TEST_INACTIVE: "rtcgw-admin" });
  assert.notEqual(inactive.code, 0);
  assert.match(inactive.output, /smoke: rtcgw-admin is not active/);
  assert.match(smokeLogs.at(-1) ?? "", /smoke: rtcgw-admin is not active/, "a failed smoke test uploads its log too");
  assert.deepEqual(readdirSync(join(dir, "run")), [], "nothing of the log is left in /run");
  state.adminOpen = true;
  const open = await smoke();
  assert.match(open.output, /smoke: https:\/\/127\.0\.0\.1:\d+\/ answered 200, not 401/);
  state.adminOpen = false;
  mkdirSync(join(dir, "ssm/i-0builder/document"), { recursive: true });
  const unsealed = await smoke();
  assert.match(unsealed.output, /smoke: \S+\/ssm\/i-0builder: SSM agent state of another instance \(the builder\) is in the image/);
  rmSync(join(dir, "ssm/i-0builder"), { recursive: true });
  writeFileSync(join(dir, "lists/deb.debian.org_debian_dists_trixie_InRelease"), "x");
  assert.match((await smoke()).output, /smoke: apt lists were not cleaned/);
});

test("the smoke script of a recipe that binds one address probes that address for SIP and HTTPS", () => {
  const recipe = makeRecipe();
  const script = renderSmokeCommands(
    { ...recipe, gateway: { ...recipe.gateway, listen: { ...recipe.gateway.listen, address: "10.0.0.5" } } },
    "https://b/l",
  ).join("\n");
  assert.match(script, /^sip_host='10\.0\.0\.5'$/m);
  assert.doesNotMatch(script, /runtime\.env/);
  assert.match(script, /https_status https:\/\/10\.0\.0\.5:443\/tryit\//);
  const wildcard = renderSmokeCommands(recipe, "https://b/l").join("\n");
  assert.match(wildcard, /sed -n 's\/\^RTCGW_LOCAL_IPV4=\/\/p' \/etc\/rtcgw\/runtime\.env/);
  assert.match(wildcard, /\$\(https_status https:\/\/127\.0\.0\.1:443\/\)/);
  assert.match(wildcard, /for unit in rtcgw-firstboot kamailio rtpengine-daemon nftables rtcgw-admin;/);
});
