import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { appendFile, mkdir, readFile, stat, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startFakeImds } from "../fakes/imds.ts";
import { agentConfigFor, makeRoot, startSsm } from "./agent-helpers.ts";
import { runFirstBoot } from "../../gateway/agent/firstboot/run-first-boot.ts";
import { readInstanceIdentity } from "../../gateway/agent/firstboot/read-instance-identity.ts";
import { verifyAdminPassword } from "../../gateway/agent/firstboot/admin-password.ts";
import { runtimePaths } from "../../gateway/agent/contract.ts";

const instance = {
  instanceId: "i-0123456789abcdef0",
  region: "eu-central-1",
  localIpv4: "10.0.1.23",
  publicIpv4: "203.0.113.45",
  localHostname: "ip-10-0-1-23.eu-central-1.compute.internal",
  openSshKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOq1 launch-key",
};
const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };
const watched = [
  runtimePaths.runtimeEnv,
  runtimePaths.kamailioDefines,
  runtimePaths.tlsCertificate,
  runtimePaths.tlsKey,
  runtimePaths.adminPasswordHash,
  runtimePaths.licenseState,
  runtimePaths.instanceMarker,
  ...["ed25519", "ecdsa", "rsa"].flatMap((t) => [`etc/ssh/ssh_host_${t}_key`, `etc/ssh/ssh_host_${t}_key.pub`]),
];

async function snapshot(root: string): Promise<Record<string, string>> {
  const entries = await Promise.all(
    watched.map(async (file) => {
      const path = join(root, file);
      const [content, info] = await Promise.all([readFile(path), stat(path)]);
      return [file, `${createHash("sha256").update(content).digest("hex")} ${info.mtimeMs} ${(info.mode & 0o777).toString(8)}`] as const;
    }),
  );
  return Object.fromEntries(entries);
}

test("IMDSv2 only: a GET without the token gets 401 and the agent always asks for a token first", async (t) => {
  const imds = await startFakeImds(instance);
  t.after(() => imds.close());
  const plain = await fetch(`${imds.endpoint}/latest/meta-data/instance-id`);
  assert.equal(plain.status, 401);
  const identity = await readInstanceIdentity({ endpoint: imds.endpoint });
  assert.deepEqual(identity, instance);
  const agentRequests = imds.requests.slice(1);
  assert.deepEqual(agentRequests[0], { method: "PUT", path: "/latest/api/token", token: false, status: 200 });
  assert.ok(
    agentRequests.slice(1).every((r) => r.method === "GET" && r.token && r.status === 200),
    JSON.stringify(agentRequests),
  );
});

test("first boot writes keys, certificate, password hash and runtime settings; the second boot changes nothing", async (t) => {
  const [imds, ssm, root] = await Promise.all([startFakeImds(instance), startSsm(), makeRoot()]);
  t.after(async () => {
    await Promise.all([imds.close(), ssm.close(), rm(root, { recursive: true, force: true })]);
  });
  const lines: string[] = [];
  const options = {
    root,
    config: agentConfigFor(),
    imdsEndpoint: imds.endpoint,
    ssmEndpoint: ssm.endpoint,
    ssmCredentials: credentials,
    log: (l: string) => lines.push(l),
    instanceSize: { memoryMiB: 1024, cores: 2 },
  };

  const first = await runFirstBoot(options);
  assert.equal(first.newInstance, true);
  assert.ok(
    Object.values(first.writes).every((o) => o === "created"),
    JSON.stringify(first.writes),
  );
  assert.deepEqual(ssm.served, ["GetParameter"]);

  const env = await readFile(join(root, runtimePaths.runtimeEnv), "utf8");
  assert.match(env, /^RTCGW_PUBLIC_IPV4=203\.0\.113\.45$/m);
  assert.match(env, /^RTCGW_LOCAL_IPV4=10\.0\.1\.23$/m);
  assert.match(env, /^RTCGW_LICENSE_MODE=demo$/m);
  assert.match(env, /^RTCGW_MAX_CALL_SECONDS=90$/m);
  const defines = await readFile(join(root, runtimePaths.kamailioDefines), "utf8");
  assert.match(defines, /^#!trydef RTCGW_MAX_CALL_SECONDS 90$/m);
  assert.match(defines, /^#!substdef "!RTCGW_PUBLIC_IPV4!203\.0\.113\.45!g"$/m);
  // Sized from the instance (1 GiB, 2 cores): 256 MiB of shared memory, (256 - 48) MiB / 96 KiB connections.
  assert.match(defines, /^#!trydef TCP_MAX_CONNECTIONS 2218$/m);
  assert.match(defines, /^#!trydef OVERLOAD_CPS 1200$/m);
  assert.match(await readFile(join(root, runtimePaths.kamailioMemory), "utf8"), /^SHM_MEMORY=256\nPKG_MEMORY=16$/m);

  const cert = new X509Certificate(await readFile(join(root, runtimePaths.tlsCertificate)));
  assert.match(cert.subjectAltName ?? "", /IP Address:203\.0\.113\.45/);
  assert.ok(cert.checkPrivateKey((await import("node:crypto")).createPrivateKey(await readFile(join(root, runtimePaths.tlsKey)))));
  const hash = await readFile(join(root, runtimePaths.adminPasswordHash), "utf8");
  assert.ok(!hash.includes(instance.instanceId), "the password itself is stored");
  assert.ok(await verifyAdminPassword(instance.instanceId, hash));
  assert.equal(await verifyAdminPassword("i-wrong", hash), false);
  const before = await snapshot(root);
  assert.equal(before[runtimePaths.tlsKey]!.split(" ")[2], "600");
  assert.equal(before[runtimePaths.adminPasswordHash]!.split(" ")[2], "600");
  assert.equal(before["etc/ssh/ssh_host_ed25519_key"]!.split(" ")[2], "600");

  const second = await runFirstBoot(options);
  assert.equal(second.newInstance, false);
  assert.ok(
    Object.values(second.writes).every((o) => o === "unchanged"),
    JSON.stringify(second.writes),
  );
  assert.deepEqual(await snapshot(root), before);
  assert.ok(!lines.join("\n").includes("$scrypt$"), "no hash material in the log");
});

test("a new instance from the same image renews the certificate, the password and the host keys", async (t) => {
  const [imds, ssm, root] = await Promise.all([startFakeImds(instance), startSsm(), makeRoot()]);
  t.after(async () => {
    await Promise.all([imds.close(), ssm.close(), rm(root, { recursive: true, force: true })]);
  });
  const options = { root, config: agentConfigFor(), imdsEndpoint: imds.endpoint, ssmEndpoint: ssm.endpoint, ssmCredentials: credentials, log: () => {} };
  await runFirstBoot(options);
  const before = await snapshot(root);
  imds.instance.instanceId = "i-0fedcba9876543210";
  const again = await runFirstBoot(options);
  assert.equal(again.newInstance, true);
  const after = await snapshot(root);
  for (const file of [runtimePaths.tlsCertificate, runtimePaths.adminPasswordHash, "etc/ssh/ssh_host_ed25519_key", runtimePaths.runtimeEnv]) {
    assert.notEqual(after[file]!.split(" ")[0], before[file]!.split(" ")[0], file);
  }
  assert.ok(await verifyAdminPassword("i-0fedcba9876543210", await readFile(join(root, runtimePaths.adminPasswordHash), "utf8")));
});

test("without a metadata service the machine boots as a local one in demo mode", async (t) => {
  const root = await makeRoot();
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, "etc"), { recursive: true });
  await writeFile(join(root, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
  const report = await runFirstBoot({ root, config: agentConfigFor(), imdsEndpoint: "http://127.0.0.1:9", log: () => {} });
  assert.equal(report.identity.instanceId, "local-0123456789abcdef0");
  assert.equal(report.limits.mode, "demo");
  assert.equal(report.verdict, "missing");
});

test("when the image has a kamailio group, the TLS key is readable by it (0640) for SIP over TLS", async (t) => {
  const [imds, ssm, root] = await Promise.all([startFakeImds(instance), startSsm(), makeRoot()]);
  t.after(async () => {
    await Promise.all([imds.close(), ssm.close(), rm(root, { recursive: true, force: true })]);
  });
  await mkdir(join(root, "etc"), { recursive: true });
  await writeFile(join(root, "etc/group"), "root:x:0:\nkamailio:x:4242:\n");
  await runFirstBoot({ root, config: agentConfigFor(), imdsEndpoint: imds.endpoint, ssmEndpoint: ssm.endpoint, ssmCredentials: credentials, log: () => {} });
  const key = await stat(join(root, runtimePaths.tlsKey));
  assert.equal(key.mode & 0o777, 0o640);
  assert.equal(key.gid, 4242);
});

test("first boot authorizes the launch key pair for the admin login and sets the host name from IMDS", async (t) => {
  const [imds, ssm, root] = await Promise.all([startFakeImds(instance), startSsm(), makeRoot()]);
  t.after(async () => {
    await Promise.all([imds.close(), ssm.close(), rm(root, { recursive: true, force: true })]);
  });
  await mkdir(join(root, "etc"), { recursive: true });
  await appendFile(join(root, "etc/passwd"), `admin:x:${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}:admin:/home/admin:/bin/bash\n`);
  const report = await runFirstBoot({
    root,
    config: agentConfigFor(),
    imdsEndpoint: imds.endpoint,
    ssmEndpoint: ssm.endpoint,
    ssmCredentials: credentials,
    log: () => {},
    instanceSize: { memoryMiB: 1024, cores: 2 },
  });
  assert.equal(report.writes.authorizedKeys, "created");
  const keyFile = join(root, "home/admin/.ssh/authorized_keys");
  assert.equal(await readFile(keyFile, "utf8"), `${instance.openSshKey}\n`);
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.equal((await stat(join(root, "home/admin/.ssh"))).mode & 0o777, 0o700);
  assert.equal(await readFile(join(root, "etc/hostname"), "utf8"), "ip-10-0-1-23\n");
  const again = await runFirstBoot({
    root,
    config: agentConfigFor(),
    imdsEndpoint: imds.endpoint,
    ssmEndpoint: ssm.endpoint,
    ssmCredentials: credentials,
    log: () => {},
    instanceSize: { memoryMiB: 1024, cores: 2 },
  });
  assert.equal(again.writes.authorizedKeys, "unchanged");
  assert.equal(again.writes.hostname, "unchanged");
});

test("a metadata read that times out or gets a 503 is asked again within the wait; it never turns an instance into a local machine", async (t) => {
  const paths = ["/latest/meta-data/instance-id", "/latest/meta-data/public-keys/0/openssh-key"];
  const imds = await startFakeImds(instance, { stallFirst: [paths[0]!], unavailableFirst: [paths[1]!] });
  t.after(() => imds.close());
  const identity = await readInstanceIdentity({ endpoint: imds.endpoint, timeoutMs: 300, waitMs: 5000 });
  assert.deepEqual(identity, instance);
  assert.deepEqual(
    imds.requests.filter((r) => r.path === paths[0]).map((r) => r.status),
    [0, 200],
  );
  assert.deepEqual(
    imds.requests.filter((r) => r.path === paths[1]).map((r) => r.status),
    [503, 200],
  );
});

test("first boot fails, naming the read, when the metadata service gave a token but a read never arrives (not a local machine)", async (t) => {
  const stalled = await startFakeImds(instance, { stallFirst: ["/latest/meta-data/instance-id"] });
  const root = await makeRoot();
  t.after(async () => {
    await Promise.all([stalled.close(), rm(root, { recursive: true, force: true })]);
  });
  const base = { root, config: agentConfigFor(), ssmCredentials: credentials, log: () => {}, instanceSize: { memoryMiB: 1024, cores: 2 } };
  await assert.rejects(
    runFirstBoot({ ...base, imdsEndpoint: stalled.endpoint, ssmEndpoint: "http://127.0.0.1:9" }),
    /instance metadata at http:\/\/127\.0\.0\.1:\d+: \/latest\/meta-data\/instance-id: no answer within 2000 ms/,
  );
});
