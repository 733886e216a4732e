// The boot test's pure parts: QEMU's command line per accelerator and firmware, and reading the VM's SSH report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderQemuArgs } from "../../image/boot-test/qemu-command.ts";
import { readSshReport, renderSshReportScript } from "../../image/boot-test/ssh-report.ts";

const vm = { overlay: "/w/uefi.qcow2", tap: "tap0", mac: "52:54:00:77:00:10" };

test("QEMU: UEFI gets OVMF's code read-only and a private copy of its variables; BIOS gets neither", () => {
  const uefi = renderQemuArgs({ ...vm, accelerator: "tcg", firmware: "uefi", uefiVars: "/w/OVMF_VARS.fd" }).join(" ");
  assert.match(uefi, /-machine q35,accel=tcg/);
  assert.match(uefi, /-cpu qemu64,-svm/);
  assert.match(uefi, /if=pflash,format=raw,readonly=on,file=\/usr\/share\/OVMF\/OVMF_CODE\.fd/);
  assert.match(uefi, /if=pflash,format=raw,file=\/w\/OVMF_VARS\.fd/);
  assert.match(uefi, /file=\/w\/uefi\.qcow2,format=qcow2/);
  assert.match(uefi, /-device nvme,drive=disk0/);
  assert.match(uefi, /tap,id=net0,ifname=tap0,script=no,downscript=no/);
  assert.match(uefi, /-serial stdio/);
  const bios = renderQemuArgs({ ...vm, accelerator: "kvm", firmware: "bios" }).join(" ");
  assert.doesNotMatch(bios, /pflash/);
  assert.match(bios, /accel=kvm/);
  assert.match(bios, /-cpu host/);
});

test("the SSH report: state, failed units, startup, blame, root size and host name, in order", () => {
  assert.match(renderSshReportScript(), /systemctl is-system-running --wait/);
  const out = [
    "degraded",
    "--rtcgw--",
    "kamailio.service",
    "rtcgw-admin.service",
    "--rtcgw--",
    "Startup finished in 10s (kernel) + 1min (userspace)",
    "--rtcgw--",
    "49.070s rtcgw-firstboot.service",
    "21.923s nftables.service",
    "--rtcgw--",
    "3063623680",
    "--rtcgw--",
    "ip-10-77-0-10",
    "",
  ].join("\n");
  assert.deepEqual(readSshReport(out), {
    state: "degraded",
    failedUnits: ["kamailio.service", "rtcgw-admin.service"],
    startup: "Startup finished in 10s (kernel) + 1min (userspace)",
    blame: ["49.070s rtcgw-firstboot.service", "21.923s nftables.service"],
    rootBytes: 3063623680,
    hostname: "ip-10-77-0-10",
  });
  assert.deepEqual(readSshReport("running\n--rtcgw--\n\n--rtcgw--\n").failedUnits, []);
});
