// Whether a process id names a live process (signal 0 probes without sending anything; EPERM means it
// lives under another user). Used to tell a crashed run's leftovers from a running one's.
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
