// Test helper for the boot gate's negative test: a sparse copy of a raw disk whose root file system has one
// more unit, enabled for multi-user.target, that fails at every boot (a oneshot running /bin/false). Written
// with debugfs at the root partition's offset: no mount, no loop device, no rebuild of the disk.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Copies `raw` to `copy` and adds `/etc/systemd/system/<unit>` with its multi-user.target.wants link; throws when either is missing after.
export function copyDiskWithFailingUnit(raw: string, rootOffsetBytes: number, copy: string, unit: string): void {
  execFileSync("cp", ["--sparse=always", raw, copy]);
  const dir = mkdtempSync(join(tmpdir(), "rtcgw-failing-unit-"));
  try {
    const unitFile = join(dir, unit);
    writeFileSync(
      unitFile,
      [
        "[Unit]",
        "Description=rtcgw boot gate negative test: fails at every boot",
        "",
        "[Service]",
        "Type=oneshot",
        "ExecStart=/bin/false",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
      ].join("\n"),
      { mode: 0o644 },
    );
    const commands = join(dir, "commands");
    writeFileSync(
      commands,
      [`write ${unitFile} /etc/systemd/system/${unit}`, `symlink /etc/systemd/system/multi-user.target.wants/${unit} /etc/systemd/system/${unit}`, ""].join(
        "\n",
      ),
    );
    const fs = `${copy}?offset=${rootOffsetBytes}`;
    execFileSync("debugfs", ["-w", "-f", commands, fs], { stdio: ["ignore", "ignore", "pipe"] });
    const check = (path: string) => execFileSync("debugfs", ["-R", `stat ${path}`, fs], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (!/Type: regular/.test(check(`/etc/systemd/system/${unit}`))) throw new Error(`debugfs did not write /etc/systemd/system/${unit} into ${copy}`);
    if (!/Type: symlink/.test(check(`/etc/systemd/system/multi-user.target.wants/${unit}`)))
      throw new Error(`debugfs did not link ${unit} into multi-user.target.wants in ${copy}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
