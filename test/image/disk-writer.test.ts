// The disk writer's cheap half (no QEMU, no mmdebstrap): the layout, the BIOS boot sectors, and the
// refusals when the image has no kernel or this machine no GRUB, each naming what is missing and the fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planDiskLayout, renderSfdiskScript, partitionTypes } from "../../image/disk/disk-layout.ts";
import { placeCoreImage, renderMbr } from "../../image/disk/bios-boot-sectors.ts";
import { checkBootInputs } from "../../image/disk/check-boot-inputs.ts";
import { writeDisk } from "../../image/disk/write-disk.ts";
import { openBuildLog } from "../../image/builders/local/build-log.ts";

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-disk-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// A root file system with a kernel and initramfs where Debian's kernel package puts them.
function fakeRoot(dir: string, { kernel = true, initrd = true } = {}): string {
  const root = join(dir, "rootfs");
  mkdirSync(join(root, "boot"), { recursive: true });
  if (kernel) writeFileSync(join(root, "boot/vmlinuz-6.1.0-1-cloud-amd64"), "kernel");
  if (initrd) writeFileSync(join(root, "boot/initrd.img-6.1.0-1-cloud-amd64"), "initrd");
  symlinkSync("boot/vmlinuz-6.1.0-1-cloud-amd64", join(root, "vmlinuz"));
  symlinkSync("/boot/initrd.img-6.1.0-1-cloud-amd64", join(root, "initrd.img"));
  return root;
}

test("the layout: BIOS boot, EFI system, then the root partition (last, so it can grow) up to the backup GPT", () => {
  const layout = planDiskLayout();
  assert.equal(layout.sizeBytes, 2 * 1024 ** 3);
  assert.deepEqual([layout.bios.number, layout.esp.number, layout.root.number], [1, 2, 3]);
  assert.equal(layout.root.type, partitionTypes.rootX8664);
  assert.equal(layout.esp.offsetBytes, layout.bios.offsetBytes + layout.bios.sizeBytes);
  assert.equal(layout.root.offsetBytes, layout.esp.offsetBytes + layout.esp.sizeBytes);
  assert.equal(layout.root.offsetBytes + layout.root.sizeBytes, layout.sizeBytes - 1024 ** 2);
  for (const p of [layout.bios, layout.esp, layout.root]) assert.equal(p.offsetBytes % 1024 ** 2, 0, `${p.name} is MiB-aligned`);
  assert.match(renderSfdiskScript(layout), /^label: gpt\n/);
  assert.throws(() => planDiskLayout(100 * 1024 ** 2), /at least 512 MiB/);
});

test("BIOS boot sectors: boot.img keeps the partition table and points at core.img, whose block list points past its first sector", () => {
  const boot = Buffer.alloc(512, 0xaa);
  const mbr = Buffer.alloc(512);
  mbr.fill(0x11, 0x1b8, 510);
  mbr.writeUInt16LE(0xaa55, 510);
  const out = renderMbr(boot, mbr, 2048);
  assert.equal(out.readBigUInt64LE(0x5c), 2048n);
  assert.deepEqual([out[0x66], out[0x67]], [0x90, 0x90]);
  assert.deepEqual(out.subarray(0x1b8), mbr.subarray(0x1b8));
  assert.equal(out[0], 0xaa, "boot code is boot.img's");
  assert.throws(() => renderMbr(boot, Buffer.alloc(512), 2048), /not an MBR/);

  const core = Buffer.alloc(512 * 5);
  core.writeUInt16LE(4, 512 - 12 + 8);
  const placed = placeCoreImage(core, 2048, 2 * 1024 ** 2);
  assert.equal(placed.readBigUInt64LE(500), 2049n);
  assert.throws(() => placeCoreImage(core, 2048, 1024), /does not fit the BIOS boot partition/);
  const wrong = Buffer.alloc(512 * 5);
  assert.throws(() => placeCoreImage(wrong, 2048, 2 * 1024 ** 2), /not an i386-pc core image/);
});

test("a root file system with its kernel and this machine's GRUB pass the checks", (t) => {
  assert.deepEqual(checkBootInputs(fakeRoot(scratch(t))), []);
});

test("no kernel in the image: the disk writer refuses before writing anything, naming the path and the package", async (t) => {
  const dir = scratch(t);
  const root = fakeRoot(dir, { kernel: false });
  const output = join(dir, "disk.raw");
  const result = await writeDisk({ rootDir: root, workDir: dir, output, log: openBuildLog(join(dir, "build.log")) });
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.match(result.message, /no kernel in the image: .*rootfs\/vmlinuz is missing .*linux-image-cloud-amd64/);
  assert.doesNotMatch(result.message, /initramfs/, "the initramfs is there");
  assert.ok(!existsSync(output));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith("disk")),
    [],
  );
});

test("no initramfs, and a kernel link pointing outside the image, are refused too", (t) => {
  const dir = scratch(t);
  const root = fakeRoot(dir, { initrd: false });
  rmSync(join(root, "vmlinuz"));
  symlinkSync("../../../../../../../../etc/hostname", join(root, "vmlinuz"));
  const problems = checkBootInputs(root);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /no kernel in the image/);
  assert.match(problems[1]!, /no initramfs in the image/);
});

test("no GRUB on this machine: the disk writer names the missing boot loader and the package to install", async (t) => {
  const dir = scratch(t);
  const grubDir = join(dir, "grub");
  mkdirSync(join(grubDir, "x86_64-efi"), { recursive: true });
  writeFileSync(join(grubDir, "x86_64-efi", "linux.mod"), "");
  const result = await writeDisk({ rootDir: fakeRoot(dir), workDir: dir, output: join(dir, "disk.raw"), log: openBuildLog(join(dir, "build.log")), grubDir });
  assert.ok(!result.ok);
  assert.match(result.message, /no GRUB boot loader for i386-pc: .*grub\/i386-pc\/linux\.mod is missing \(apt-get install grub-pc-bin\)/);
  assert.match(result.message, /boot\.img is missing/);
  assert.doesNotMatch(result.message, /x86_64-efi/);
});
