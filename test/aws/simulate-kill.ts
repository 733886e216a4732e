// A simulated `kill -9` of the rtcgw process on the fake cloud: the chosen call still takes effect in the cloud (the
// request reached AWS), but the process dies before it learns the answer: the journal stays as it was when the call
// began, and no later call reaches the cloud (each fails as a dead process's would never have been made).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { CloudError } from "../../cloud/ports.ts";
import type { FakeCloud } from "../fakes/aws/create-fake-cloud.ts";

/** A kill armed on a fake cloud; `settle()` leaves the journal file as the crash left it and disarms the kill. */
export interface ArmedKill {
  /** Whether the kill happened. */
  readonly fired: boolean;
  settle(): void;
}

// Kills the process at the first call for which `at` is true (after `skip` such calls): after that call took effect, or,
// with `before`, just before it is sent.
export function armKill(
  cloud: FakeCloud,
  journalPath: string,
  at: (operation: string, region: string) => boolean,
  options: { skip?: number; before?: boolean } = {},
): ArmedKill {
  const skip = options.skip ?? 0;
  let dead = false;
  let seen = 0;
  let journalAtKill: string | undefined;
  cloud.faults.onCall = (operation, region) => {
    if (dead) throw new CloudError("ProcessKilled", `the rtcgw process is gone (${operation} never sent)`);
    if (!at(operation, region) || seen++ < skip) return;
    journalAtKill = existsSync(journalPath) ? readFileSync(journalPath, "utf8") : undefined;
    dead = true;
    if (options.before) throw new CloudError("ProcessKilled", `the rtcgw process is gone (${operation} never sent)`);
  };
  return {
    get fired() {
      return dead;
    },
    settle() {
      cloud.faults.onCall = undefined;
      if (!dead) return;
      if (journalAtKill === undefined) rmSync(journalPath, { force: true });
      else writeFileSync(journalPath, journalAtKill);
    },
  };
}
