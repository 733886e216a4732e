import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { licenseCommand } from "../../cli/commands/license.ts";
import { UsageError } from "../../cli/errors.ts";

function captureIo(cwd: string) {
  const out: string[] = [];
  return {
    out,
    io: { cwd, stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), interactive: false, signal: new AbortController().signal },
  };
}

test("rtcgw license keygen, issue and verify: the vendor's round trip", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rtcgw-license-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { out, io } = captureIo(dir);
  assert.equal(await licenseCommand.run(["keygen", "--private-key", "vendor.pem", "--public-key", "public.pem"], io), 0);
  assert.equal((await stat(join(dir, "vendor.pem"))).mode & 0o777, 0o600);
  await assert.rejects(licenseCommand.run(["keygen", "--private-key", "vendor.pem", "--public-key", "public.pem"], io), /refusing to replace/);

  out.length = 0;
  assert.equal(
    await licenseCommand.run(
      [
        "issue",
        "--private-key",
        "vendor.pem",
        "--licensee",
        "Example GmbH",
        "--expires",
        "2099-12-31",
        "--max-call-duration",
        "2h",
        "--max-parallel-calls",
        "100",
      ],
      io,
    ),
    0,
  );
  const license = out.join("").trim();
  assert.match(license, /^rtcgw-license-v1\.[\w-]+\.[\w-]+$/);

  out.length = 0;
  assert.equal(await licenseCommand.run(["verify", "--public-key", "public.pem", license], io), 0);
  assert.match(out.join(""), /^valid: licensed to Example GmbH, expires 2099-12-31T00:00:00\.000Z, max call 7200 s, max parallel calls 100/);
  out.length = 0;
  assert.equal(await licenseCommand.run(["verify", "--public-key", "public.pem", `${license.slice(0, -4)}AAAA`], io), 1);
  assert.match(out.join(""), /^invalid: the signature does not match/);

  await assert.rejects(
    licenseCommand.run(["issue", "--private-key", "vendor.pem", "--licensee", "x", "--expires", "soon"], io),
    (e: Error) => e instanceof UsageError && /--expires/.test(e.message),
  );
  await assert.rejects(
    licenseCommand.run(["issue", "--private-key", "vendor.pem", "--licensee", "x", "--expires", "2099-01-01", "--max-parallel-calls", "-3"], io),
    UsageError,
  );
});
