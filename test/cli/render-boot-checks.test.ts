import { test } from "node:test";
import assert from "node:assert/strict";
import { renderBootChecks } from "../../cli/render-boot-checks.ts";

test("build-ami's summary lists every boot check with its verdict and detail, per firmware", () => {
  assert.deepEqual(
    renderBootChecks([
      {
        firmware: "uefi",
        checks: [
          { name: "kamailio answers SIP OPTIONS over UDP", ok: true, detail: "SIP/2.0 200 OK (10.77.0.10:5060)" },
          { name: "a WebRTC call to A", ok: false, detail: "the browser got fewer than 75 back" },
        ],
      },
      { firmware: "bios", checks: [{ name: 'the console shows "Welcome"', ok: true, detail: "40 s after power-on" }] },
    ]),
    [
      "    ok   UEFI kamailio answers SIP OPTIONS over UDP: SIP/2.0 200 OK (10.77.0.10:5060)",
      "    FAIL UEFI a WebRTC call to A: the browser got fewer than 75 back",
      '    ok   BIOS the console shows "Welcome": 40 s after power-on',
    ],
  );
});
