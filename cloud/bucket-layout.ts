import type { BucketSetup } from "./ports.ts";

/** Private areas of rtcgw's bucket: the build's bundles and the command logs (uploaded by the scripts through presigned URLs). They are never shared. */
export const privatePrefixes = { staging: "staging/", logs: "logs/" } as const;

/** Days after which staging bundles and command logs expire. */
export const expiryDays = 30;

// How rtcgw's bucket is created: tagged as rtcgw's, with staging bundles and command logs expiring after `expiryDays`.
export function bucketSetupFor(bucket: string): BucketSetup {
  return {
    tags: { Name: bucket, "rtcgw:project": "rtcgw", "rtcgw:role": "artifacts" },
    expiry: [
      { id: "rtcgw-expire-staging", prefix: privatePrefixes.staging, days: expiryDays },
      { id: "rtcgw-expire-logs", prefix: privatePrefixes.logs, days: expiryDays },
    ],
  };
}

// The prefix under which a recipe's published artifacts (templates, manifest, go page) live: `<recipe name>/`.
export function artifactPrefixFor(recipeName: string): string {
  return `${recipeName}/`;
}

// Tells whether a shared prefix would expose a private area (a recipe named `staging` or `logs`).
export function overlapsPrivatePrefix(prefix: string): boolean {
  return Object.values(privatePrefixes).some((p) => p.startsWith(prefix) || prefix.startsWith(p));
}
