// Whether a process of this machine still runs (signal 0: nothing is sent). Used to tell a live process's temporary
// files from ones a killed process left (a recipe edit's temporary sibling, a build's work folder).

// True when `pid` runs; a process of another user that we may not signal runs too (EPERM).
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
