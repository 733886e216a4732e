// Pure: the parts of a Lynis report (`lynis-report.dat`) the manifest records.

/** One warning or suggestion: the test that raised it and its message. */
export interface LynisFinding {
  test: string;
  message: string;
  details?: string;
}

/** The audit result recorded in manifest.json. */
export interface LynisSummary {
  lynisVersion: string;
  hardeningIndex: number;
  testsPerformed: number;
  warnings: LynisFinding[];
  suggestions: LynisFinding[];
  skippedTests: string[];
}

// Parses `key=value` lines; `key[]=` lines accumulate.
export function parseLynisReport(report: string): LynisSummary {
  const single = new Map<string, string>();
  const lists = new Map<string, string[]>();
  for (const line of report.split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0 || line.startsWith("#")) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key.endsWith("[]")) lists.set(key.slice(0, -2), [...(lists.get(key.slice(0, -2)) ?? []), value]);
    else single.set(key, value);
  }
  const findings = (key: string) => (lists.get(key) ?? []).map(parseFinding);
  return {
    lynisVersion: single.get("lynis_version") ?? "unknown",
    hardeningIndex: Number(single.get("hardening_index") ?? NaN),
    testsPerformed: Number(single.get("lynis_tests_done") ?? NaN),
    warnings: findings("warning"),
    suggestions: findings("suggestion"),
    skippedTests: (lists.get("skipped_test") ?? []).map((s) => s.split("|")[0]!).filter(Boolean),
  };
}

function parseFinding(value: string): LynisFinding {
  const [test = "", message = "", details = ""] = value.split("|");
  return details && details !== "-" ? { test, message, details } : { test, message };
}
