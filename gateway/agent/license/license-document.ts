import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";

// A license is one line, easy to paste into an SSM parameter:
//   rtcgw-license-v1.<base64url(JSON terms)>.<base64url(Ed25519 signature over "rtcgw-license-v1.<terms>")>
// The image holds only the public key; the vendor keeps the private key.
const prefix = "rtcgw-license-v1";

/** What a license grants. */
export interface LicenseTerms {
  /** Who the license is for (shown in the admin UI). */
  licensee: string;
  /** Maximum call duration in seconds; null = no license limit (the recipe's rule still applies). */
  maxCallSeconds: number | null;
  /** Maximum concurrent calls; null = no license limit (the recipe's capacity still applies). */
  maxParallelCalls: number | null;
  /** ISO 8601 instant after which the gateway falls back to demo mode. */
  expires: string;
  /** ISO 8601 instant of issue. */
  issued: string;
}

/** The outcome of checking a license: the terms, or why it does not count. */
export type LicenseVerdict =
  | { status: "valid"; terms: LicenseTerms }
  | { status: "expired"; terms: LicenseTerms }
  | { status: "invalid"; reason: string }
  | { status: "missing"; reason: string };

// A new Ed25519 key pair for signing licenses (PEM: SPKI public, PKCS#8 private).
export function generateLicenseKeys(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

// Signs terms with the vendor's private key; returns the one-line license.
export function issueLicense(terms: LicenseTerms, privateKeyPem: string): string {
  const problems = checkTerms(terms);
  if (problems.length > 0) throw new Error(`cannot issue the license: ${problems.join("; ")}`);
  const signed = `${prefix}.${Buffer.from(JSON.stringify(terms)).toString("base64url")}`;
  const signature = sign(null, Buffer.from(signed), createPrivateKey(privateKeyPem));
  return `${signed}.${signature.toString("base64url")}`;
}

// Checks the signature, the terms and the expiry at `now`; never throws.
export function verifyLicense(text: string | undefined, publicKeyPem: string, now: Date): LicenseVerdict {
  if (text === undefined || text.trim() === "") return { status: "missing", reason: "no license" };
  const parts = text.trim().split(".");
  if (parts.length !== 3 || parts[0] !== prefix) return { status: "invalid", reason: `not an ${prefix} license` };
  const [, payload, signature] = parts as [string, string, string];
  let valid = false;
  try {
    valid = verify(null, Buffer.from(`${prefix}.${payload}`), createPublicKey(publicKeyPem), Buffer.from(signature, "base64url"));
  } catch (error) {
    return { status: "invalid", reason: `signature check failed: ${(error as Error).message}` };
  }
  if (!valid) return { status: "invalid", reason: "the signature does not match (not issued by this vendor, or altered)" };
  let terms: LicenseTerms;
  try {
    terms = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as LicenseTerms;
  } catch {
    return { status: "invalid", reason: "the terms are not JSON" };
  }
  const problems = checkTerms(terms);
  if (problems.length > 0) return { status: "invalid", reason: problems.join("; ") };
  if (Date.parse(terms.expires) <= now.getTime()) return { status: "expired", terms };
  return { status: "valid", terms };
}

function checkTerms(terms: LicenseTerms): string[] {
  const problems: string[] = [];
  if (typeof terms !== "object" || terms === null) return ["the terms must be an object"];
  if (typeof terms.licensee !== "string" || !/^[\p{L}\p{N} .,&()'@_-]{1,100}$/u.test(terms.licensee))
    problems.push(`\`licensee\` must be 1–100 plain characters, got \`${String(terms.licensee)}\``);
  for (const key of ["maxCallSeconds", "maxParallelCalls"] as const) {
    const value = terms[key];
    if (value !== null && !(Number.isInteger(value) && value > 0 && value <= 10_000_000))
      problems.push(`\`${key}\` must be a positive integer or null, got \`${String(value)}\``);
  }
  for (const key of ["expires", "issued"] as const) {
    if (typeof terms[key] !== "string" || Number.isNaN(Date.parse(terms[key])))
      problems.push(`\`${key}\` must be an ISO 8601 date, got \`${String(terms[key])}\``);
  }
  return problems;
}
