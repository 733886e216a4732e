// Pure: Lynis's hardening points per test, read from its log. Lynis adds points with AddHP (include/functions),
// logging each call, and reports only hardening_index = earned * 100 / possible, rounded down (include/report):
// combining two audits honestly needs the points behind each index, test by test.

/** The points one test earned out of those it could earn (a test may call AddHP several times). */
export interface LynisTestPoints {
  test: string;
  earned: number;
  possible: number;
}

/** An audit's points: the totals and each test's share, in the order the tests ran. */
export interface LynisPoints {
  earned: number;
  possible: number;
  byTest: LynisTestPoints[];
}

const testStart = /Performing test ID ([A-Z]+-\d+)/;
const fullPoints = /Hardening: assigned maximum number of hardening points for this item \((\d+)\)/;
const partialPoints = /Hardening: assigned partial number of hardening points \((\d+) of (\d+)\)/;

// Reads `lynis.log`; points logged before any test (none in Lynis 3.0.8) count under the test "".
export function parseLynisPoints(log: string): LynisPoints {
  const byTest = new Map<string, LynisTestPoints>();
  let test = "";
  for (const line of log.split("\n")) {
    const started = testStart.exec(line);
    if (started) {
      test = started[1]!;
      continue;
    }
    const full = fullPoints.exec(line);
    const partial = full ? undefined : partialPoints.exec(line);
    if (!full && !partial) continue;
    const earned = Number(full ? full[1] : partial![1]);
    const possible = Number(full ? full[1] : partial![2]);
    const entry = byTest.get(test) ?? { test, earned: 0, possible: 0 };
    entry.earned += earned;
    entry.possible += possible;
    byTest.set(test, entry);
  }
  return sumLynisPoints([...byTest.values()]);
}

// The totals of `byTest`.
export function sumLynisPoints(byTest: LynisTestPoints[]): LynisPoints {
  return { earned: byTest.reduce((sum, t) => sum + t.earned, 0), possible: byTest.reduce((sum, t) => sum + t.possible, 0), byTest };
}

// Lynis's own arithmetic (include/report): rounded down, and an audit that earned no point at all counts as 1 of 100.
export function lynisHardeningIndex(points: { earned: number; possible: number }): number {
  if (points.earned === 0) return 1;
  return Math.floor((points.earned * 100) / points.possible);
}
