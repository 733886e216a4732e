// Which installed packages need a Node the project's own `engines.node` does not promise: the range each
// package-lock.json entry declares must cover every Node version the project's range admits (so, first of
// all, its lowest). Pure logic over a parsed lockfile; node-engines.test.ts reads the files.
import semver from "semver";

/** A package-lock.json (lockfileVersion 2 or 3) `packages` entry, as far as engines go. */
export interface LockedPackage {
  name?: string;
  version?: string;
  dev?: boolean;
  engines?: Record<string, string> | string[];
}

/** One installed package whose `engines.node` excludes Node versions the project claims to run on. */
export interface EnginesConflict {
  /** `name@version (path in node_modules, dev)`. */
  package: string;
  range: string;
  /** The lowest Node version the project admits and the package excludes, when one is found. */
  excluded?: string;
  message: string;
}

// The package's name: the lock entry's, or the last node_modules/ segment of its path (`@scope/name` kept).
function nameOf(path: string, entry: LockedPackage): string {
  return entry.name ?? path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
}

// Versions tried as a witness of what `range` excludes: the project's lowest, then every x.y.0 from there.
function candidateVersions(projectRange: string): string[] {
  const lowest = semver.minVersion(projectRange)!;
  const versions = [lowest.version];
  for (let major = lowest.major; major <= lowest.major + 20; major++) for (let minor = 0; minor <= 40; minor++) versions.push(`${major}.${minor}.0`);
  return versions;
}

/** Every entry of `packages` (a lockfile's, keyed by path; "" is the project) whose `engines.node` excludes some Node version `projectRange` admits. */
export function enginesConflicts(projectRange: string, packages: Record<string, LockedPackage>): EnginesConflict[] {
  if (semver.validRange(projectRange) === null || semver.minVersion(projectRange) === null)
    throw new Error(`package.json: engines.node "${projectRange}" is not a semver range: write one like ">=20.19"`);
  const lowest = semver.minVersion(projectRange)!.version;
  const candidates = candidateVersions(projectRange).filter((version) => semver.satisfies(version, projectRange));
  const conflicts: EnginesConflict[] = [];
  for (const [path, entry] of Object.entries(packages)) {
    if (path === "" || !entry.engines || Array.isArray(entry.engines)) continue;
    const range = entry.engines.node;
    if (range === undefined) continue;
    const label = `${nameOf(path, entry)}@${entry.version ?? "?"} (${path}${entry.dev ? ", dev" : ""})`;
    if (semver.validRange(range) === null) {
      conflicts.push({
        package: label,
        range,
        message: `${label}: engines.node "${range}" is not a semver range, so it cannot be checked against "${projectRange}"`,
      });
      continue;
    }
    if (semver.subset(projectRange, range)) continue;
    const excluded = candidates.find((version) => !semver.satisfies(version, range));
    const which = excluded === lowest ? `Node ${lowest}, the lowest the project admits` : excluded ? `Node ${excluded}` : "Node versions";
    conflicts.push({
      package: label,
      range,
      excluded,
      message: `${label}: engines.node "${range}" excludes ${which} (project engines.node "${projectRange}"): pin a version of it that runs there, or narrow the project's engines.node`,
    });
  }
  return conflicts;
}
