// What `rtcgw recipe set pbx`, `add-region` and `remove-region` change in a recipe, as edits plus the
// lines that tell the user what changed and what is still theirs to set. Pure: the recipe's current value
// (as written, and with defaults resolved) in, edits out.
import { formatPath } from "../problems.ts";
import { isIpAddress } from "../patterns.ts";
import { readRecipePath, RecipeEditError, type RecipeEdit, type RecipePath } from "./recipe-edits.ts";

/** Edits and what to tell the user about them. */
export interface RecipeChangePlan {
  edits: RecipeEdit[];
  /** One line per change made. */
  changes: string[];
  /** What the user must still do (e.g. allow the PBX's addresses). */
  todo: string[];
}

/** The new PBX: its host and, when known, the addresses it sends calls from. */
export interface PbxSettings {
  host: string;
  /** Which upstream (by name) when the recipe has several. */
  upstream?: string;
  /** Addresses (CIDR) given by the user; else derived from `host` (an IP) or `resolved`. */
  allowFrom?: string[];
  /** Addresses `host` resolved to now, when it is a name. */
  resolved?: string[];
}

// The address as a one-host CIDR: 192.0.2.10/32, 2001:db8::1/128.
export function hostCidr(address: string): string {
  return `${address}${address.includes(":") ? "/128" : "/32"}`;
}

// Points an upstream at another PBX: its host, the addresses calls come from, and the SIP domain when it was the old host.
export function planPbxChange(recipe: unknown, settings: PbxSettings): RecipeChangePlan {
  const upstreams = readRecipePath(recipe, ["gateway", "upstreams"]);
  if (!Array.isArray(upstreams) || upstreams.length === 0)
    throw new RecipeEditError("the recipe has no gateway.upstreams to point at a PBX: add one (name, host) first");
  const names = upstreams.map((u: { name?: unknown }) => String(u?.name));
  const index = settings.upstream === undefined ? (upstreams.length === 1 ? 0 : -1) : names.indexOf(settings.upstream);
  if (index < 0) {
    throw new RecipeEditError(
      settings.upstream === undefined
        ? `the recipe has ${upstreams.length} upstreams (${names.join(", ")}): choose one with --upstream NAME`
        : `no upstream named "${settings.upstream}": the recipe has ${names.join(", ")}`,
    );
  }
  const base: RecipePath = ["gateway", "upstreams", index];
  const current = upstreams[index] as { host?: unknown; allowFrom?: unknown };
  const oldHost = typeof current.host === "string" ? current.host : undefined;
  const plan: RecipeChangePlan = { edits: [], changes: [], todo: [] };
  const set = (path: RecipePath, value: unknown, was: unknown) => {
    plan.edits.push({ kind: "set", path, value });
    plan.changes.push(`${formatPath(path)} = ${JSON.stringify(value)}${was === undefined ? "" : ` (was ${JSON.stringify(was)})`}`);
  };
  if (oldHost !== settings.host) set([...base, "host"], settings.host, oldHost);

  // allowFrom belongs to the PBX: it is replaced whole (the change line shows what it was).
  const allowFrom = settings.allowFrom ?? (isIpAddress(settings.host) ? [hostCidr(settings.host)] : (settings.resolved ?? []).map(hostCidr));
  if (allowFrom.length > 0 && JSON.stringify(allowFrom) !== JSON.stringify(current.allowFrom)) set([...base, "allowFrom"], allowFrom, current.allowFrom);
  if (allowFrom.length === 0 && current.allowFrom !== undefined) {
    plan.edits.push({ kind: "delete", path: [...base, "allowFrom"] });
    plan.changes.push(`${formatPath([...base, "allowFrom"])} removed (was ${JSON.stringify(current.allowFrom)}: the old PBX's)`);
  }
  if (settings.allowFrom === undefined && !isIpAddress(settings.host) && allowFrom.length > 0) {
    plan.todo.push(
      `calls are accepted from ${allowFrom.join(", ")}, what ${settings.host} resolves to now: if your PBX sends from other addresses, set them with \`rtcgw recipe set pbx ${settings.host} --allow-from CIDR,...\``,
    );
  }
  if (allowFrom.length === 0) {
    plan.todo.push(
      `calls from the PBX are refused until you say which addresses it sends from: \`rtcgw recipe set pbx ${settings.host} --allow-from CIDR,...\` (${settings.host} did not resolve here)`,
    );
  }

  const domains = readRecipePath(recipe, ["gateway", "domains"]);
  if (oldHost && Array.isArray(domains) && domains.includes(oldHost) && !domains.includes(settings.host)) {
    const at = domains.indexOf(oldHost);
    set(["gateway", "domains", at], settings.host, oldHost);
  }
  return plan;
}

// Adds a region to `regions` (the resolved default list when the recipe names none).
export function planRegionAdd(recipe: unknown, resolvedRegions: unknown, region: string): RecipeChangePlan {
  const written = readRecipePath(recipe, ["regions"]);
  if (written === "all-enabled") throw new RecipeEditError(`regions is "all-enabled": every enabled region is in already`);
  const current = Array.isArray(written) ? written : Array.isArray(resolvedRegions) ? resolvedRegions : [];
  if (current.includes(region)) return { edits: [], changes: [], todo: [`${region} is in regions already (${current.join(", ")}): nothing to change`] };
  const edit: RecipeEdit = Array.isArray(written)
    ? { kind: "append", path: ["regions"], value: region }
    : { kind: "set", path: ["regions"], value: [...current, region] };
  return { edits: [edit], changes: [`regions: + ${region} (now ${[...current, region].join(", ")})`], todo: [] };
}

// Removes a region from `regions`; the last one cannot go (an image is published to at least one region).
export function planRegionRemove(recipe: unknown, resolvedRegions: unknown, region: string): RecipeChangePlan {
  const written = readRecipePath(recipe, ["regions"]);
  if (written === "all-enabled")
    throw new RecipeEditError(`regions is "all-enabled": list the regions you want instead, e.g. \`rtcgw recipe set regions '["us-east-1","eu-central-1"]'\``);
  const current = Array.isArray(written) ? written : Array.isArray(resolvedRegions) ? resolvedRegions : [];
  const index = current.indexOf(region);
  if (index < 0) throw new RecipeEditError(`${region} is not in regions (${current.join(", ")})`);
  if (current.length === 1)
    throw new RecipeEditError(`${region} is the only region: an image is published to at least one; add another first (rtcgw recipe add-region REGION)`);
  const rest = current.filter((r) => r !== region);
  const edit: RecipeEdit = Array.isArray(written) ? { kind: "remove", path: ["regions"], index } : { kind: "set", path: ["regions"], value: rest };
  return { edits: [edit], changes: [`regions: - ${region} (now ${rest.join(", ")})`], todo: [] };
}

// Sets one value by path.
export function planValueSet(recipe: unknown, path: RecipePath, value: unknown): RecipeChangePlan {
  const was = readRecipePath(recipe, path);
  return {
    edits: [{ kind: "set", path, value }],
    changes: [`${formatPath(path)} = ${JSON.stringify(value)}${was === undefined ? "" : ` (was ${JSON.stringify(was)})`}`],
    todo: [],
  };
}
