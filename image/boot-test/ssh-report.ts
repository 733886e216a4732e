// Pure: what the boot test asks the VM over SSH (one session: the firewall rate-limits new SSH
// connections) and how it reads the answer: the system's state, then Lynis inside the VM (as root).
import { quoteShell } from "../builders/local/namespace-script.ts";

/** The VM's answers. */
export interface SshReport {
  /** systemctl is-system-running --wait */
  state: string;
  failedUnits: string[];
  /** systemd-analyze's "Startup finished in …" line. */
  startup: string;
  /** systemd-analyze blame, slowest first (the first lines). */
  blame: string[];
  rootBytes: number;
  hostname: string;
}

const separator = "--rtcgw--";
const lynisSeparator = "--rtcgw-lynis--";

// The session's command: the report, then (when given) the Lynis script as root, reading the session's stdin.
export function renderSshSessionScript(lynisScript?: string): string {
  if (lynisScript === undefined) return renderSshReportScript();
  return `{ ${renderSshReportScript()}; } </dev/null; echo ${lynisSeparator}; sudo -n sh -c ${quoteShell(lynisScript)}`;
}

// The session's output: the report's part and the Lynis script's (undefined when the session never got there).
export function splitSshSession(stdout: string): { report: string; lynis?: string } {
  const at = stdout.indexOf(`${lynisSeparator}\n`);
  return at < 0 ? { report: stdout } : { report: stdout.slice(0, at), lynis: stdout.slice(at + lynisSeparator.length + 1) };
}

// The shell script run as the admin login (no root needed).
export function renderSshReportScript(): string {
  return [
    "timeout 90 systemctl is-system-running --wait",
    `echo ${separator}`,
    "systemctl --failed --plain --no-legend --no-pager | awk '{print $1}'",
    `echo ${separator}`,
    "systemd-analyze --no-pager 2>&1 | head -n 1",
    `echo ${separator}`,
    "systemd-analyze blame --no-pager 2>&1 | head -n 15",
    `echo ${separator}`,
    "findmnt --bytes --noheadings --output SIZE /",
    `echo ${separator}`,
    "hostname",
  ].join("; ");
}

// Reads the script's output.
export function readSshReport(stdout: string): SshReport {
  const [state = "", failed = "", startup = "", blame = "", size = "", hostname = ""] = stdout.split(`${separator}\n`).map((part) => part.trim());
  const lines = (text: string) =>
    text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
  return { state, failedUnits: lines(failed), startup, blame: lines(blame), rootBytes: Number(size) || 0, hostname };
}
