// CPU time of a process (all threads) from /proc, for the media benchmark's CPU columns: time spent
// running, and time spent runnable but waiting for a core (the machine was busy with other work).
import { readdirSync, readFileSync } from "node:fs";

const ticksPerSecond = 100; // USER_HZ (`getconf CLK_TCK`) on Linux

// User + system CPU milliseconds that process `pid` has used so far (/proc/<pid>/stat).
export function processCpuMs(pid: number | "self"): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

// Milliseconds the threads of process `pid` have waited on a run queue so far (/proc/<pid>/task/*/schedstat).
export function processRunDelayMs(pid: number | "self"): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[1]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return nanoseconds / 1e6;
}

// CPU milliseconds of process `pid` and its direct children (Kamailio forks its workers; a child's time reaches the
// parent's /proc/<pid>/stat only when it exits).
export function processTreeCpuMs(pid: number): number {
  let total = processCpuMs(pid);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) total += processCpuMs(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
