import type { Recipe } from "../../dsl/resolve.ts";
import { hashParts } from "../../cloud/naming.ts";
import type { PublicAccessBlock } from "../../cloud/ports.ts";

/** Who may read a recipe's published artifacts, and where: decided from the visibility alone (`--dry-run` prints it). */
export interface ArtifactAccess {
  readers: "everyone" | "accounts" | "owner";
  accounts: string[];
  /** Key prefix readable by `readers` (templates, manifest, go page); nothing else in the bucket is shared. */
  prefix: string;
}

/** A bucket policy document (only the fields rtcgw reads or writes). */
interface PolicyDocument {
  Version: string;
  Statement: { Sid?: string; Effect: string; Principal?: unknown; Action?: unknown; Resource?: unknown }[];
}

/** What to write: the merged policy (undefined: none) and the bucket's Block Public Access that goes with it. */
export type BucketAccessChange = { ok: true; policy: string | undefined; publicAccessBlock: PublicAccessBlock; public: boolean } | { ok: false; error: string };

// Who reads the artifacts of a recipe: everyone when public, the listed accounts when shared, only the owner when private.
export function planArtifactAccess(visibility: Recipe["publish"]["visibility"], prefix: string): ArtifactAccess {
  if (visibility === "public") return { readers: "everyone", accounts: [], prefix };
  if (typeof visibility === "object") return { readers: "accounts", accounts: [...visibility.accounts], prefix };
  return { readers: "owner", accounts: [], prefix };
}

// The policy statement id owned by one artifact prefix (other statements in the policy are kept as they are).
export function statementIdFor(prefix: string): string {
  return `RtcgwArtifactsRead${hashParts(prefix).slice(0, 12)}`;
}

// Merges the artifact access into the bucket's current policy: replaces this prefix's statement, keeps every other one,
// and derives the bucket Block Public Access (policies allowed only while some statement is public).
export function mergeArtifactAccess(bucket: string, access: ArtifactAccess, currentPolicy: string | undefined): BucketAccessChange {
  let doc: PolicyDocument = { Version: "2012-10-17", Statement: [] };
  if (currentPolicy) {
    try {
      doc = JSON.parse(currentPolicy) as PolicyDocument;
    } catch {
      return { ok: false, error: `the policy of bucket ${bucket} is not JSON` };
    }
  }
  const sid = statementIdFor(access.prefix);
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).filter((s) => s.Sid !== sid);
  if (access.readers !== "owner") {
    const principal = access.readers === "everyone" ? "*" : { AWS: access.accounts.map((a) => `arn:aws:iam::${a}:root`) };
    statements.push({ Sid: sid, Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/${access.prefix}*` });
  }
  const isPublic = statements.some(isPublicStatement);
  const policy = statements.length ? JSON.stringify({ ...doc, Version: doc.Version ?? "2012-10-17", Statement: statements }) : undefined;
  return {
    ok: true,
    policy,
    public: isPublic,
    publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: !isPublic, restrictPublicBuckets: !isPublic },
  };
}

// Tells whether a policy statement grants anything to everyone (`"*"` or `{ "AWS": "*" }`).
export function isPublicStatement(statement: { Effect: string; Principal?: unknown }): boolean {
  if (statement.Effect !== "Allow") return false;
  const p = statement.Principal;
  const aws = typeof p === "object" && p !== null ? (p as { AWS?: unknown }).AWS : undefined;
  return p === "*" || aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}
